// The person's forms (docs/forms.md "The field list"): the hub's signed GET /v1/phone/forms, kept in the app's
// IndexedDB for offline use (store `phone_forms`: {id: form id, form: the field list of its latest version}, and
// the upload limits in `settings` as `phone-forms-limits`), so a form opens and is filled with no network. A form
// half filled in is kept too (`phone_form_drafts`: {id: form id, version, started, values}, its photos and voice
// notes as Blobs, a drawn signature as ImageData) until it is sent or the person starts again.
import * as store from "../../shell/store.js";
import { signed } from "../hub.js";

store.declare("phone_forms", "phone_form_drafts");
const LIMITS = "phone-forms-limits";
// Until the hub has said (PHONE_PHOTO_MAX_BYTES, PHONE_VOICE_MAX_BYTES, PHONE_UPLOAD_CHUNK_BYTES by default).
export const DEFAULT_LIMITS = Object.freeze({ photo_bytes: 10 * 1024 * 1024, voice_bytes: 5 * 1024 * 1024, chunk_bytes: 256 * 1024 });

/** GET /v1/phone/forms, kept (forms the hub no longer lists are let go): the forms. Throws HubError offline. */
export async function refresh() {
  const { data } = await signed("GET", "/v1/phone/forms");
  const forms = (data && Array.isArray(data.forms)) ? data.forms : [];
  const listed = new Set(forms.map((f) => f.form_id));
  for (const old of await store.all("phone_forms")) if (!listed.has(old.id)) await store.del("phone_forms", old.id);
  for (const form of forms) await store.put("phone_forms", { id: form.form_id, form });
  if (data && data.limits) await store.put("settings", { id: LIMITS, ...data.limits });
  return forms;
}

/** The forms kept on this phone, by title. */
export async function kept() {
  const all = (await store.all("phone_forms")).map((row) => row.form).filter((f) => f && Array.isArray(f.fields));
  return all.sort((a, b) => String(a.title).localeCompare(String(b.title)));
}

export async function one(formId) {
  const row = await store.get("phone_forms", formId);
  return row ? row.form : null;
}

/** The upload limits the hub gave, or the hub's defaults. */
export async function limits() {
  const found = await store.get("settings", LIMITS);
  return { ...DEFAULT_LIMITS, ...(found || {}) };
}

/** The answers kept for this form's version, or null (answers to an older version are let go). */
export async function loadDraft(form) {
  const found = await store.get("phone_form_drafts", form.form_id);
  if (!found) return null;
  if (found.version !== form.version) {
    await store.del("phone_form_drafts", form.form_id);
    return null;
  }
  return { started: found.started, values: found.values || {} };
}

export function saveDraft(form, draft) {
  return store.put("phone_form_drafts", { id: form.form_id, version: form.version, started: draft.started, values: draft.values });
}

export function dropDraft(formId) {
  return store.del("phone_form_drafts", formId);
}
