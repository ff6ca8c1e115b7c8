// Live availability: the compact snapshot (one letter per place, with an ETag), kept current by
// Server-Sent Events (fed by PostgreSQL LISTEN/NOTIFY on the server); polling of the snapshot
// when the stream is not available (an old browser, a proxy that cuts streams, a WSGI server).

const POLL_MS = 2000;
// Even with the stream open: a hold that lapses changes no row until the sweeper runs, so the
// snapshot (which counts lapsed holds as free) is fetched now and then.
const RESYNC_MS = 30000;

export class Live {
  constructor({ api, event, onSnapshot, onChanges, stateElement }) {
    this.snapshotUrl = `${api}/events/${event}/availability`;
    this.streamUrl = `${api}/events/${event}/availability/stream`;
    this.onSnapshot = onSnapshot;
    this.onChanges = onChanges;
    this.stateElement = stateElement;
    this.etag = null;
    this.pollTimer = null;
    this.fetching = null;
    this.arrived = null; // changes streamed while a snapshot is on its way
    this.again = false; // a snapshot from after now is wanted once the one on its way is in
  }

  start() {
    this.refresh();
    if ("EventSource" in window) this.openStream();
    else this.startPolling();
    setInterval(() => this.refresh(), RESYNC_MS);
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.refresh();
    });
  }

  setState(text) {
    if (this.stateElement) this.stateElement.textContent = text;
  }

  // `fresh`: the snapshot must be read after this call (on `ready` and `reset`); one already on
  // its way may have been read before the changes that call is about.
  async refresh({ fresh = false } = {}) {
    if (this.fetching) {
      if (fresh) this.again = true;
      return this.fetching;
    }
    this.arrived = [];
    this.fetching = (async () => {
      try {
        const headers = this.etag ? { "If-None-Match": this.etag } : {};
        const response = await fetch(this.snapshotUrl, { headers, cache: "no-cache" });
        if (response.status === 304 || !response.ok) return;
        this.etag = response.headers.get("ETag");
        const data = await response.json();
        this.onSnapshot(data.statuses, data.counts);
        // The snapshot may have been read before changes the stream has brought meanwhile:
        // they go on top again. One it already had is repeated harmlessly (letters are states,
        // not steps), and a later one it had comes down the stream after them, in order.
        if (this.arrived.length) {
          this.etag = null;
          this.onChanges(this.arrived);
        }
      } catch {
        // The next poll or stream message catches up.
      } finally {
        this.fetching = null;
        this.arrived = null;
        if (this.again) {
          this.again = false;
          this.refresh();
        }
      }
    })();
    return this.fetching;
  }

  openStream() {
    const stream = new EventSource(this.streamUrl);
    this.stream = stream;
    stream.addEventListener("ready", () => {
      this.stopPolling();
      this.setState("Live");
      this.etag = null; // changes may have happened before we subscribed
      this.refresh({ fresh: true });
    });
    stream.addEventListener("reset", () => {
      this.etag = null;
      this.refresh({ fresh: true });
    });
    stream.addEventListener("seats", (message) => {
      if (message.data === "*") {
        this.refresh({ fresh: true });
        return;
      }
      const changes = [];
      for (const part of message.data.split(",")) {
        const position = Number.parseInt(part, 10);
        if (!Number.isNaN(position)) changes.push([position, part.at(-1)]);
      }
      this.etag = null; // our snapshot no longer matches the server's
      this.arrived?.push(...changes);
      this.onChanges(changes);
    });
    stream.addEventListener("error", () => {
      // The browser reconnects by itself unless the server refused the stream (e.g. 503 under
      // WSGI); either way, poll until a stream is ready again.
      this.startPolling();
      if (stream.readyState === EventSource.CLOSED) this.setState("Updating every few seconds");
    });
  }

  startPolling() {
    if (this.pollTimer) return;
    this.pollTimer = setInterval(() => this.refresh(), POLL_MS);
  }

  stopPolling() {
    clearInterval(this.pollTimer);
    this.pollTimer = null;
  }
}
