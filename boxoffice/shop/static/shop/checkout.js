// The checkout form: a ticket type per seat, email, name and promo code; the quote (what checkout
// will charge, from the server's own arithmetic) refreshes as they change; submitting turns the
// hold into an order and goes to the payment page.
import { ApiError, call } from "./api.js";
import { formatMoney } from "./money.js";

export class Checkout {
  constructor({ form, api, config, hold, notify, placeName }) {
    this.placeName = placeName;
    this.form = form;
    this.api = api;
    this.config = config;
    this.hold = hold;
    this.notify = notify;
    this.typesBox = form.querySelector("[data-ticket-types]");
    this.quoteTable = form.querySelector("[data-quote]");
    this.timer = null;
    this.choices = new Map(); // ref -> ticket type code
    form.addEventListener("change", (event) => {
      if (event.target.name?.startsWith("type:")) this.choices.set(event.target.name.slice(5), event.target.value);
      this.requote();
    });
    this.field("promo_code").addEventListener("input", () => this.requote(500));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
  }

  field(name) {
    return this.form.elements.namedItem(name);
  }

  priceOf(category, type) {
    const found = this.config.categories.find((c) => c.key === category);
    return found?.prices?.[type];
  }

  render(seats) {
    this.form.hidden = seats.length === 0;
    if (!seats.length) return;
    const types = this.config.ticketTypes;
    this.typesBox.replaceChildren();
    for (const seat of seats) {
      const label = document.createElement("label");
      label.className = "ticket-type";
      label.textContent = this.placeName(seat);
      const select = document.createElement("select");
      select.name = `type:${seat.ref}`;
      for (const type of types) {
        const price = this.priceOf(seat.category, type.code);
        if (price === undefined) continue;
        const option = new Option(`${type.name} · ${formatMoney(price, this.config.currency)}`, type.code);
        select.append(option);
      }
      if (this.choices.has(seat.ref)) select.value = this.choices.get(seat.ref);
      label.append(select);
      this.typesBox.append(label);
    }
    this.requote(0);
  }

  tickets() {
    return this.hold.seats.map((seat) => ({
      seat: seat.ref,
      ticket_type: this.form.elements[`type:${seat.ref}`]?.value || this.config.ticketTypes[0]?.code,
    }));
  }

  requote(delay = 150) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.quote(), delay);
  }

  async quote() {
    if (!this.hold.token || !this.hold.seats.length) return;
    const promo = this.field("promo_code").value.trim();
    try {
      const quote = await call("POST", `${this.api}/holds/${this.hold.token}/quote`, {
        tickets: this.tickets(), promo_code: promo || null,
      });
      this.field("promo_code").setCustomValidity("");
      this.showQuote(quote);
    } catch (error) {
      if (error instanceof ApiError && error.code.startsWith("promo_")) {
        this.field("promo_code").setCustomValidity(error.message);
        this.quoteTable.replaceChildren(this.row("", error.message, "error"));
        return;
      }
      if (error instanceof ApiError && error.status === 410) return; // the hold handles that
      this.quoteTable.replaceChildren(this.row("", error.message, "error"));
    }
  }

  row(description, amount, className = "") {
    const tr = document.createElement("tr");
    if (className) tr.className = className;
    const td = document.createElement("td");
    td.textContent = description;
    const value = document.createElement("td");
    value.className = "num";
    value.textContent = amount;
    tr.append(td, value);
    return tr;
  }

  showQuote(quote) {
    // Every amount is a Money object: {amount (minor units), currency, unit: "minor"}.
    const money = (value) => formatMoney(value.amount, value.currency);
    const rows = quote.lines.map((line) => this.row(line.description, money(line.amount), `line-${line.kind}`));
    const total = this.row("Total", money(quote.total), "total");
    total.dataset.total = quote.total.amount;
    this.quoteTable.replaceChildren(...rows, total);
  }

  async submit() {
    if (!this.form.reportValidity()) return;
    const button = this.form.querySelector("[data-pay]");
    button.disabled = true;
    button.textContent = "Reserving your order…";
    try {
      const order = await call("POST", `${this.api}/holds/${this.hold.token}/checkout`, {
        email: this.field("email").value.trim(),
        name: this.field("name").value.trim(),
        tickets: this.tickets(),
        promo_code: this.field("promo_code").value.trim() || null,
      });
      this.hold.converted();
      location.assign(order.next_url);
    } catch (error) {
      this.notify(error.message, "error");
      button.disabled = false;
      button.textContent = "Continue to payment";
    }
  }
}
