// The customer's hold: made by the first seat chosen, grown and shrunk seat by seat, kept across
// reloads in sessionStorage (the token is the only credential), counted down to its expiry.
import { ApiError, call, clockSkew } from "./api.js";

export class Hold {
  constructor({ api, event, onChange }) {
    this.api = api;
    this.event = event;
    this.onChange = onChange; // (hold | null, reason?) -> void
    this.storageKey = `boxoffice-hold:${location.host}:${event}`;
    this.token = sessionStorage.getItem(this.storageKey);
    this.data = null;
    this.queue = Promise.resolve();
  }

  // One request at a time: a double click must not race our own hold.
  serial(task) {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => {});
    return run;
  }

  set(data, token) {
    if (token) {
      this.token = token;
      sessionStorage.setItem(this.storageKey, token);
    }
    this.data = data;
    this.onChange(data);
    return data;
  }

  forget(reason) {
    this.token = null;
    this.data = null;
    sessionStorage.removeItem(this.storageKey);
    this.onChange(null, reason);
  }

  get seats() {
    return this.data?.seats || [];
  }

  get expiresAt() {
    return this.data ? Date.parse(this.data.expires_at) - clockSkew : null;
  }

  async restore() {
    if (!this.token) return null;
    try {
      return this.set(await call("GET", `${this.api}/holds/${this.token}`));
    } catch (error) {
      if (error instanceof ApiError && [404, 410].includes(error.status)) this.forget();
      return null;
    }
  }

  // Start a hold with `claim` ({seats} | {best_available} | {general_admission}) or, with a live
  // one, add to it; a hold that ended meanwhile is replaced by a new one.
  add(claim, path, body) {
    return this.serial(async () => {
      if (this.token) {
        try {
          return this.set(await call("POST", `${this.api}/holds/${this.token}/${path}`, body));
        } catch (error) {
          if (!(error instanceof ApiError && [404, 410].includes(error.status))) throw error;
          this.forget();
        }
      }
      const created = await call("POST", `${this.api}/events/${this.event}/holds`, claim);
      return this.set(created, created.token);
    });
  }

  addSeats(refs) {
    return this.add({ seats: refs }, "seats", { seats: refs });
  }

  bestAvailable(category, quantity, accessible = false) {
    const wanted = { category, quantity, allow_split: true, accessible };
    return this.add({ best_available: wanted }, "best-available", wanted);
  }

  generalAdmission(section, quantity) {
    const wanted = { section, quantity };
    return this.add({ general_admission: wanted }, "general-admission", wanted);
  }

  removeSeat(ref) {
    return this.serial(async () => {
      if (!this.token) return null;
      const path = ref.split("/").map(encodeURIComponent).join("/");
      try {
        return this.set(await call("DELETE", `${this.api}/holds/${this.token}/seats/${path}`));
      } catch (error) {
        if (error instanceof ApiError && [404, 410].includes(error.status) && error.code !== "seat_not_held") {
          this.forget();
          return null;
        }
        throw error;
      }
    });
  }

  extend() {
    return this.serial(async () => this.set(await call("POST", `${this.api}/holds/${this.token}/extend`)));
  }

  release(reason = "released") {
    return this.serial(async () => {
      const token = this.token;
      this.forget(reason);
      if (token) {
        try {
          await call("DELETE", `${this.api}/holds/${token}`);
        } catch {
          // An expired or converted hold frees itself.
        }
      }
    });
  }

  // The hold became an order: the token is spent.
  converted() {
    this.token = null;
    sessionStorage.removeItem(this.storageKey);
  }
}
