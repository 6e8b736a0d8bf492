// The person's forms (docs/forms.md "The field list"), kept in the app's IndexedDB for offline use, so a form opens
// and is filled with no network: on the phone the hub's signed GET /v1/phone/forms (store `phone_forms`: {id: form
// id, form: the field list of its latest version}, and the upload limits in `settings` as `phone-forms-limits`);
// on a tablet the edge's GET /v1/tablets/forms (app/src/tablet/forms.js: `tablet_forms`, `tablet-forms-limits`).
// A form half filled in is kept too (`phone_form_drafts` / `tablet_form_drafts`: {id: form id, version, started,
// values}, its photos and voice notes as Blobs, a drawn signature as ImageData) until it is sent or the person
// starts again.
import * as store from "../../shell/store.js";
import { signed } from "../hub.js";

// Until the hub has said (PHONE_PHOTO_MAX_BYTES, PHONE_VOICE_MAX_BYTES, PHONE_UPLOAD_CHUNK_BYTES by default).
export const DEFAULT_LIMITS = Object.freeze({ photo_bytes: 10 * 1024 * 1024, voice_bytes: 5 * 1024 * 1024, chunk_bytes: 256 * 1024 });

/** The kept forms of one side: `prefix` names its stores, `fetchForms()` gets {forms, limits} (throws offline). */
export function keeper(prefix, fetchForms) {
  const FORMS = `${prefix}_forms`;
  const DRAFTS = `${prefix}_form_drafts`;
  const LIMITS = `${prefix}-forms-limits`;
  store.declare(FORMS, DRAFTS);
  return {
    /** The side's forms, kept (forms no longer listed are let go): the forms. Throws offline. */
    async refresh() {
      const data = await fetchForms();
      const forms = (data && Array.isArray(data.forms)) ? data.forms : [];
      const listed = new Set(forms.map((f) => f.form_id));
      for (const old of await store.all(FORMS)) if (!listed.has(old.id)) await store.del(FORMS, old.id);
      for (const form of forms) await store.put(FORMS, { id: form.form_id, form });
      if (data && data.limits) await store.put("settings", { id: LIMITS, ...data.limits });
      return forms;
    },
    /** The forms kept on this device, by title. */
    async kept() {
      const all = (await store.all(FORMS)).map((row) => row.form).filter((f) => f && Array.isArray(f.fields));
      return all.sort((a, b) => String(a.title).localeCompare(String(b.title)));
    },
    async one(formId) {
      const row = await store.get(FORMS, formId);
      return row ? row.form : null;
    },
    /** The upload limits the side gave, or the hub's defaults. */
    async limits() {
      const found = await store.get("settings", LIMITS);
      return { ...DEFAULT_LIMITS, ...(found || {}) };
    },
    /** The answers kept for this form's version, or null (answers to an older version are let go). */
    async loadDraft(form) {
      const found = await store.get(DRAFTS, form.form_id);
      if (!found) return null;
      if (found.version !== form.version) {
        await store.del(DRAFTS, form.form_id);
        return null;
      }
      return { started: found.started, values: found.values || {} };
    },
    saveDraft(form, draft) {
      return store.put(DRAFTS, { id: form.form_id, version: form.version, started: draft.started, values: draft.values });
    },
    dropDraft(formId) {
      return store.del(DRAFTS, formId);
    },
  };
}

// The phone's: GET /v1/phone/forms, signed (throws HubError offline).
export const phoneForms = keeper("phone", async () => (await signed("GET", "/v1/phone/forms")).data);
export const { refresh, kept, one, limits, loadDraft, saveDraft, dropDraft } = phoneForms;
