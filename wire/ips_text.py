"""A health summary in plain words (wire.ips.plain) as lines of text, the warning first: what `throughgate
phone health` prints on the person's phone and `throughgate hub health show` at the hub. Pure: no I/O."""

from __future__ import annotations


def lines(found: dict) -> list[str]:
    """The lines, each part of the summary after the warning; empty parts say so ("none recorded")."""
    out = [f"WARNING: {warning}" for warning in found["warnings"]]
    patient = found["patient"]
    if patient["name"]:
        out.append(f"Patient: {patient['name']}" + (f", born {patient['born']}" if patient["born"] else ""))
    made = found["made"]
    if made["at"]:
        out.append("Made " + ", ".join(p for p in (made["at"], made["by"], made["organisation"]) if p))
    if found["release_date"]:
        out.append(f"Release date: {found['release_date']}")
    out.append("Medicines:" if found["medicines"] else "Medicines: none recorded")
    for medicine in found["medicines"]:
        details = [medicine["dose"]] + [f"{label} {medicine[key]}" for key, label in (
            ("last_given", "last given"), ("days_supplied", "days supplied:"),
            ("prescription_issued", "prescription:")) if medicine[key]]
        out.append(f"  {medicine['name']}" + (f": {'; '.join(d for d in details if d)}" if any(details) else ""))
    ost = found["ost"]
    if ost:
        out.append(f"Opioid substitution: {ost['drug']}" + (f" ({ost['form']})" if ost["form"] else "")
                   + (f", {ost['daily_dose']}" if ost["daily_dose"] else ""))
        for key, label in (("last_supervised_dose", "last supervised dose"),
                           ("dosed_on_release_day", "dosed on the day of release"),
                           ("prescriber", "community prescriber"), ("pharmacy", "pharmacy"),
                           ("first_dose_appointment", "first dosing appointment")):
            if ost[key]:
                out.append(f"  {label}: {ost[key]}")
        if ost["depot"]:
            depot = ost["depot"]
            out.append("  depot injection: " + ", ".join(p for p in (
                depot["product"], depot["dose"], depot["given"] and f"given {depot['given']}",
                depot["next_due"] and f"next due {depot['next_due']}") if p))
    if found["naloxone"]:
        naloxone = found["naloxone"]
        out.append(f"Naloxone: {naloxone['kits'] or 'not recorded'} kit(s)"
                   + (f" on {naloxone['when']}" if naloxone["when"] else "")
                   + f"; training given: {naloxone['training_given'] or 'not recorded'}")
    if found["gp"]:
        out.append(f"GP: {found['gp']['practice'] or 'not known'}"
                   + (f" ({found['gp']['status']})" if found["gp"]["status"] else ""))
    out.append("Allergies:" if found["allergies"] else f"Allergies: {found['allergies_none'] or 'none recorded'}")
    out += [f"  {a['what']}" + "".join(f", {a[k]}" for k in ("reaction", "severity") if a[k])
            for a in found["allergies"]]
    out.append("Problems:" if found["problems"] else f"Problems: {found['problems_none'] or 'none recorded'}")
    for problem in found["problems"]:
        since = problem["since"] and f"since {problem['since']}"
        out.append(f"  {problem['what']}" + "".join(f", {part}" for part in (since, problem["status"]) if part))
    if found["appointments"]:
        out.append("Upcoming health appointments:")
        out += ["  " + ", ".join(p for p in (a["when"], a["what"], a["where"], a["with"]) if p)
                for a in found["appointments"]]
    return out
