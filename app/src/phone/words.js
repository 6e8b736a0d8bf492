// N_(msgid) marks English words that are translated later, where they are shown (ctx.t(table[key])): the msgid
// stays in the source for the check that every msgid is in app/i18n/<lang>/phone.po
// (tests/hub/test_app_phone_strings.py), as gettext's N_ does.
export const N_ = (msgid) => msgid;
