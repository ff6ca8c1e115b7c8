// On-device verification of ticket payload v1 (boxoffice/tickets/README.md) and of staff
// credentials (checkin/services/credentials.py), with WebCrypto Ed25519 against the manifest's
// keys.

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
const VALUES = new Map([...ALPHABET].map((ch, i) => [ch, i]));
const PAYLOAD_BYTES = 81;
const SIGNED_BYTES = 17;
const MAX_TEXT_LENGTH = 160;
const CREDENTIAL_PREFIX = new TextEncoder().encode("boxoffice.staff-credential.v1.");

export class NotATicket extends Error {}

// A ticket code typed at the door (as the ticket page prints it): the same rule as
// boxoffice.tickets.selectors.typed_ticket_code (tests/checkin/test_typed_codes.py keeps the two
// alike). Any case, with or without the prefix, separators ignored; null for anything else.
const TICKET_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";
const TICKET_CODE = new RegExp(`^(?:tkt)?([${TICKET_CODE_ALPHABET}]{12})$`);
export function typedTicketCode(text) {
  if (text.length > 40) return null;
  const match = text.toLowerCase().replace(/[^a-z0-9]/g, "").match(TICKET_CODE);
  return match ? `tkt_${match[1]}` : null;
}

// RFC 9285. Throws NotATicket on anything that is not base45.
export function base45Decode(text) {
  if (text.length % 3 === 1) throw new NotATicket("not base45");
  const out = [];
  for (let i = 0; i < text.length; i += 3) {
    const chunk = text.slice(i, i + 3);
    const digits = [...chunk].map((ch) => {
      const value = VALUES.get(ch);
      if (value === undefined) throw new NotATicket("not base45");
      return value;
    });
    const n = digits.reduce((sum, digit, k) => sum + digit * 45 ** k, 0);
    if (chunk.length === 3) {
      if (n > 0xffff) throw new NotATicket("not base45");
      out.push(n >> 8, n & 0xff);
    } else {
      if (n > 0xff) throw new NotATicket("not base45");
      out.push(n);
    }
  }
  return new Uint8Array(out);
}

// Only line ends are stripped: a space is a base45 digit.
export function cleanScan(text) {
  return String(text).replace(/[\r\n]+$/, "").replace(/^[\r\n]+/, "");
}

export function decodePayload(text) {
  if (text.length > MAX_TEXT_LENGTH) throw new NotATicket("too long");
  const raw = base45Decode(text);
  if (raw.length !== PAYLOAD_BYTES) throw new NotATicket("wrong length");
  const view = new DataView(raw.buffer);
  if (view.getUint8(0) !== 1) throw new NotATicket("unknown version");
  return {
    keyId: view.getUint32(1),
    // ticket ids fit comfortably in a double (2^53) for any real shop
    ticketId: Number(view.getBigUint64(5)),
    eventId: view.getUint32(13),
    signed: raw.slice(0, SIGNED_BYTES),
    signature: raw.slice(SIGNED_BYTES),
  };
}

function fromBase64(text) {
  const normal = text.replace(/-/g, "+").replace(/_/g, "/");
  const padded = normal + "=".repeat((4 - (normal.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

const imported = new Map();

async function publicKey(keys, keyId) {
  const entry = keys.find((key) => key.key_id === keyId);
  if (!entry) return null;
  const cacheKey = `${keyId}:${entry.public_key}`;
  if (!imported.has(cacheKey)) {
    imported.set(
      cacheKey,
      crypto.subtle.importKey("raw", fromBase64(entry.public_key), { name: "Ed25519" }, false, [
        "verify",
      ]),
    );
  }
  return imported.get(cacheKey);
}

async function verifySignature(key, signature, data) {
  return crypto.subtle.verify({ name: "Ed25519" }, key, signature, data);
}

// The verdict for a scan, in the server's order (checkin/README.md "Verdicts"):
// invalid_signature, unknown_key, wrong_event, not_found, revoked, not_paid, payment_disputed,
// wrong_category, then for entries already_admitted or ok, for exits not_inside or ok. `lookup`
// reads the device's copy of the manifest.
export async function judge(text, { list, keys, lookup, direction = "entry" }) {
  const typed = typedTicketCode(cleanScan(text));
  let ticket;
  if (typed) {
    // The code is the secret (the manifest came from the server): no signature to check.
    ticket = await lookup.ticketByCode(typed);
    if (!ticket) return { verdict: "not_found", ticket: null };
  } else {
    let payload;
    try {
      payload = decodePayload(cleanScan(text));
    } catch (error) {
      if (error instanceof NotATicket) return { verdict: "invalid_signature", ticket: null };
      throw error;
    }
    const key = await publicKey(keys, payload.keyId);
    if (!key) return { verdict: "unknown_key", ticket: null };
    if (!(await verifySignature(key, payload.signature, payload.signed))) {
      return { verdict: "invalid_signature", ticket: null };
    }
    if (payload.eventId !== list.event.id) return { verdict: "wrong_event", ticket: null };
    ticket = await lookup.ticket(payload.ticketId);
    if (!ticket) return { verdict: "not_found", ticket: null, ticketId: payload.ticketId };
  }
  if (ticket.status === "revoked") return { verdict: "revoked", ticket };
  if (ticket.status === "disputed") return { verdict: "payment_disputed", ticket };
  if (ticket.status !== "valid") return { verdict: "not_paid", ticket };
  if (list.categories.length && !list.categories.includes(ticket.category)) {
    return { verdict: "wrong_category", ticket };
  }
  const admission = await lookup.admission(ticket.id);
  if (direction === "exit") {
    return admission && admission.inside ? { verdict: "ok", ticket } : { verdict: "not_inside", ticket };
  }
  if (admission && (admission.inside || !list.allow_reentry)) {
    return { verdict: "already_admitted", ticket, admission };
  }
  return { verdict: "ok", ticket };
}

// A staff credential's claims if it is genuine, of this organizer, unexpired and lets its
// holder override; throws an Error with a reason otherwise. The server checks it again.
export async function checkCredential(text, { keys, organizer, now = Date.now() }) {
  const parts = String(text).trim().split(".");
  if (parts.length !== 2) throw new Error("This is not a staff credential.");
  let body, signature, claims;
  try {
    body = fromBase64(parts[0]);
    signature = fromBase64(parts[1]);
    claims = JSON.parse(new TextDecoder().decode(body));
  } catch {
    throw new Error("This is not a staff credential.");
  }
  const key = await publicKey(keys, Number(claims.kid));
  if (!key) throw new Error("The credential is signed with a key this device does not know.");
  const signed = new Uint8Array(CREDENTIAL_PREFIX.length + body.length);
  signed.set(CREDENTIAL_PREFIX);
  signed.set(body, CREDENTIAL_PREFIX.length);
  if (!(await verifySignature(key, signature, signed))) {
    throw new Error("The credential's signature is not valid.");
  }
  if (claims.org !== organizer) throw new Error("The credential is for another organizer.");
  if (claims.exp * 1000 < now) throw new Error("The credential has expired.");
  if (!(claims.sup || claims.role === "admin" || claims.role === "owner")) {
    throw new Error("The credential's holder may not override.");
  }
  return claims;
}
