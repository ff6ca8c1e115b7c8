"""Every write of check-in, one module per subject: `lists` (check-in lists), `devices` (pairing,
tokens, device authentication), `scans` (the verdict and the first-scan-wins admission, online
scans), `offline` (offline scans uploaded at sync), `overrides` (a supervisor admits a denied
entry) and `credentials` (staff credentials for offline overrides). Design notes:
checkin/README.md."""
