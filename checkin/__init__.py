"""Check-in lists, devices, scans, offline manifest and sync, overrides, the PWA (issues 6, 9)."""
