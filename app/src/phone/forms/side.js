// Where the Forms screen (screens/forms.js) gets its forms, keeps a form's files and sends a submission: the screen
// is the same on the phone and on a tablet inside, and asks its side through this small adapter (as
// app/src/scorm/sides.js does for the course player). The phone's is here; the tablet's is app/src/tablet/forms.js.
//
//   side.ready(main, ctx)        whether the screen may open (the phone set up, the tablet bound to a learner); when
//                                not, it has said why and what to do
//   side.forms                   the kept forms (kept.js keeper): refresh(), kept(), one(id), limits(), drafts
//   side.offline(error)          whether a refresh's error only means "not connected" (else it is thrown)
//   side.keepFile(blob, voice)   the file kept on this device before the outbox: {value: {sha256, type, bytes}, and on
//                                the tablet attachment: its upload's {id, sha256, size, type, name}} or {problem}
//   side.body(submission, files) the outbox item's body for {form_id, version, filled_at, values} and the files'
//                                attachments (the phone: the submission; the tablet: a form_submission record's)
//   side.submission(item)        the {form_id, ...} of a waiting outbox item
//   side.refused(code)           a refusal's words;  side.words: what the screen says that names the device
import { HubError, wordsFor } from "../hub.js";
import { activated } from "../ui.js";
import { N_ } from "../words.js";
import { phoneForms } from "./kept.js";
import * as media from "./media.js";

const REFUSED = {
  bad_value: N_("Not sent: an answer was not right. Fill in the form again."),
  unknown_form: N_("Not sent: this form was changed. Open Forms, then fill in the new one."),
  attachment_missing: N_("Not sent: a photo or voice note is no longer on this phone. Fill in the form again."),
};

export const phone = {
  name: "phone",
  ready: activated,
  forms: phoneForms,
  offline: (error) => error instanceof HubError,
  async keepFile(blob, voice) {
    const kept = await media.keepFile(blob, voice); // in the phone's IndexedDB by SHA-256; forms/send.js uploads it
    return kept.problem ? kept : { value: kept.ref };
  },
  async body(submission) {
    return submission;
  },
  submission: (item) => item.body || {},
  refused: (code) => REFUSED[code] || wordsFor(code),
  words: {
    kept: N_("Your form is kept on this phone. It is sent when you are online."),
    offline: N_("You are offline. These are the forms kept on this phone."),
    missing: N_("This form is not on this phone. Connect to the internet and open Forms again."),
    draft: N_("Your answers so far are kept on this phone."),
    smaller: N_("A large photo is made smaller on this phone before it is sent."),
    waiting: N_("Waiting to send. It goes when you are online."),
    noRecording: N_("This phone cannot record a voice note here."),
    noMicrophone: N_("This phone could not use its microphone."),
  },
};
