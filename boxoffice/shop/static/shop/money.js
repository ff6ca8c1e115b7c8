// Amounts arrive in minor units. How many digits a currency's minor unit has, and the locale to
// write it in, come from the server (the page's #money-format, built by
// boxoffice.currencies.browser_money_format from CLDR), so the shop prints what the server prints.
const formats = new Map();
const settings = (() => {
  const element = document.getElementById("money-format");
  return element ? JSON.parse(element.textContent) : { locale: document.documentElement.lang || "en", digits: {} };
})();

export function minorDigits(currency) {
  const digits = settings.digits[currency];
  if (Number.isInteger(digits)) return digits;
  return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits;
}

export function formatMoney(minor, currency) {
  let entry = formats.get(currency);
  if (!entry) {
    const digits = minorDigits(currency);
    const format = new Intl.NumberFormat(settings.locale, {
      style: "currency",
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
    entry = { format, digits };
    formats.set(currency, entry);
  }
  return entry.format.format(minor / 10 ** entry.digits);
}
