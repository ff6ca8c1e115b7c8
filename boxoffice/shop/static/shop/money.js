const formats = new Map();

export function formatMoney(minor, currency) {
  let format = formats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat(document.documentElement.lang || "en", { style: "currency", currency });
    formats.set(currency, format);
  }
  const digits = format.resolvedOptions().maximumFractionDigits;
  return format.format(minor / 10 ** digits);
}
