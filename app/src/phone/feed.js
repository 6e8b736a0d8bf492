// What the screens show, made from the kept feed (db.js "feed", by seq) and the outbox: pure functions over
// the feed's changes, so they work offline and are the same after a reload.
export function latestOf(changes, kind) {
  const found = new Map();
  for (const change of changes) if (change.kind === kind) found.set(change.id, change); // seq order: the last wins
  return found;
}

export function contacts(changes) {
  const latest = latestOf(changes, "contacts").get("contacts");
  const body = latest ? latest.body : { workers: [], teams: [] };
  return [
    ...(body.workers || []).map((w) => ({ to: w.to, name: w.name || w.to, role: w.role || "", team: false })),
    ...(body.teams || []).map((w) => ({ to: w.to, name: w.name || w.to, team: true, replyWithin: w.reply_within || "" })),
  ];
}

// The thread a message belongs to: the contact's `to` (a worker's name, or team:<name>).
export function threadOf(body) {
  if (body.from_person) return body.worker;
  return body.team ? `team:${body.team}` : body.worker;
}

// Messages in order: the hub's (sent, received) then what waits in the outbox, each with its state:
// "waiting", "refused", "sent", "read" (the worker read the person's), "received" (a worker's).
export function messages(changes, outboxItems) {
  const reads = new Map();
  for (const c of changes) if (c.kind === "read") reads.set(c.body.message, c.body.read_at);
  const shown = [];
  const known = new Set();
  for (const c of changes) {
    if (c.kind !== "message" || known.has(c.id)) continue;
    known.add(c.id);
    const b = c.body;
    shown.push({ id: c.id, thread: threadOf(b), mine: !!b.from_person, text: b.text || "", at: b.written_at || c.at,
                 who: b.worker_name || "", state: b.from_person ? (reads.has(c.id) ? "read" : "sent") : "received",
                 readAt: reads.get(c.id) || null, attachments: b.attachments || [] });
  }
  for (const item of outboxItems) {
    if (item.kind !== "message" || known.has(item.id)) continue;
    shown.push({ id: item.id, thread: item.body.to, mine: true, text: item.body.text, at: item.body.written_at,
                 who: "", state: item.state === "refused" ? "refused" : "waiting", error: item.error || "", reason: item.reason || "",
                 attachments: item.body.attachments || [] });
  }
  return shown;
}

// The appointments to come (the latest state of each, scheduled, not ended), soonest first; with `all`, every one.
export function appointments(changes, now = Date.now(), all = false) {
  return [...latestOf(changes, "appointment").values()]
    .map((c) => ({ id: c.id, ...c.body }))
    .filter((a) => all || (a.status === "scheduled" && Date.parse(a.ends_at || a.starts_at) >= now))
    .sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at));
}

export const PATHWAYS = ["accommodation", "id", "bank_account", "gp", "medicines", "probation", "education_work",
                         "money_benefits", "family"];

export function plan(changes) {
  const latest = latestOf(changes, "plan");
  const release = latest.get("release");
  return { releaseDate: release ? release.body.release_date : null,
           pathways: PATHWAYS.filter((p) => latest.has(p)).map((p) => latest.get(p).body) };
}
