// The device's storage (IndexedDB, one database per organizer site): settings and token in
// `meta`, the manifest's tickets and admitted set per list, and the queue of offline scans.

const DB_NAME = "boxoffice-checkin";
const DB_VERSION = 1;
let opened = null;

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error("transaction aborted"));
  });
}

export function open() {
  if (!opened) {
    opened = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, DB_VERSION);
      req.onupgradeneeded = () => {
        const db = req.result;
        db.createObjectStore("meta", { keyPath: "key" });
        db.createObjectStore("tickets", { keyPath: ["list", "id"] });
        db.createObjectStore("admitted", { keyPath: ["list", "ticket"] });
        db.createObjectStore("queue", { keyPath: "nonce" }).createIndex("list", "list");
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }
  return opened;
}

async function store(name, mode = "readonly") {
  const db = await open();
  return db.transaction(name, mode).objectStore(name);
}

const listRange = (list) => IDBKeyRange.bound([list, -Infinity], [list, Infinity]);

export async function get(key, fallback = null) {
  const row = await request((await store("meta")).get(key));
  return row === undefined ? fallback : row.value;
}

export async function set(key, value) {
  await request((await store("meta", "readwrite")).put({ key, value }));
}

export async function remove(key) {
  await request((await store("meta", "readwrite")).delete(key));
}

export async function clearAll() {
  const db = await open();
  const tx = db.transaction(["meta", "tickets", "admitted", "queue"], "readwrite");
  for (const name of ["meta", "tickets", "admitted", "queue"]) tx.objectStore(name).clear();
  await done(tx);
}

// A manifest (full or delta, checkin/README.md) applied over the device's copy in one transaction.
export async function applyManifest(list, body) {
  const db = await open();
  const tx = db.transaction(["tickets", "admitted"], "readwrite");
  const tickets = tx.objectStore("tickets");
  const admitted = tx.objectStore("admitted");
  if (body.full) {
    tickets.delete(listRange(list));
    admitted.delete(listRange(list));
  }
  const tf = body.ticket_fields;
  for (const row of body.tickets) {
    const ticket = { list };
    tf.forEach((field, i) => { ticket[field] = row[i]; });
    tickets.put(ticket);
  }
  for (const id of body.revoked || []) {
    const req = tickets.get([list, id]);
    req.onsuccess = () => {
      const ticket = req.result || { list, id, seat: "", category: "", name: "" };
      tickets.put({ ...ticket, status: "revoked" });
    };
  }
  const af = body.admitted_fields;
  for (const row of body.admitted) {
    const entry = { list };
    af.forEach((field, i) => { entry[field] = row[i]; });
    admitted.put(entry);
  }
  await done(tx);
}

export async function ticket(list, id) {
  return (await request((await store("tickets")).get([list, id]))) || null;
}

// A typed ticket code (verify.js typedTicketCode) among the list's tickets. Typing is rare and a
// list holds thousands of tickets at most, so a scan of the list beats an index (and a schema
// upgrade of every paired device).
export async function ticketByCode(list, code) {
  const tickets = await request((await store("tickets")).getAll(listRange(list)));
  return tickets.find((ticket) => ticket.code === code) || null;
}

export async function admission(list, ticketId) {
  return (await request((await store("admitted")).get([list, ticketId]))) || null;
}

export async function admit(list, ticketId, entry) {
  await request((await store("admitted", "readwrite")).put({ list, ticket: ticketId, ...entry }));
}

export async function admittedCount(list) {
  return request((await store("admitted")).count(listRange(list)));
}

export async function ticketCount(list) {
  return request((await store("tickets")).count(listRange(list)));
}

export async function enqueue(scan) {
  await request((await store("queue", "readwrite")).put(scan));
}

export async function queued(list, limit = 200) {
  const index = (await store("queue")).index("list");
  return request(index.getAll(IDBKeyRange.only(list), limit));
}

export async function queuedOne(nonce) {
  return (await request((await store("queue")).get(nonce))) || null;
}

export async function queueLength(list) {
  return request((await store("queue")).index("list").count(IDBKeyRange.only(list)));
}

export async function dequeue(nonces) {
  const db = await open();
  const tx = db.transaction("queue", "readwrite");
  for (const nonce of nonces) tx.objectStore("queue").delete(nonce);
  await done(tx);
}
