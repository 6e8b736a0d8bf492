// The item picker's list and the navigation SCORM 2004's controlMode allows (wire/course_scorm.py): pure.
//
//   pickList(manifest) -> [{ id, title, href, depth, heading, choice, flow }] in the organisation's order
//
// `choice` (the learner may open this item from the list) and `flow` (previous and next from it) are those of
// the item's parent: the organisation or its cluster, SCORM's defaults (choice on, flow off) where the package
// sets none. A SCORM 1.2 package has no sequencing: every item may be chosen, and previous and next are offered.
const DEFAULT_2004 = { choice: true, flow: false };
const SCORM_12 = { choice: true, flow: true };

export function pickList(manifest) {
  const byId = new Map((manifest.items || []).map((i) => [i.id, i]));
  const tree = manifest.scorm && manifest.scorm.organization;
  if (!tree) return (manifest.items || []).map((i) => ({ ...i, depth: 0, heading: false, ...SCORM_12 }));
  const out = [];
  const walk = (node, depth, control) => {
    // isvisible="false" hides a node from the list, not what it holds: packages wrap their parts in a hidden
    // cluster (Rustici's golf examples, the SCORM 2004 4th edition starter template), whose parts are shown
    const launches = node.launch && byId.has(node.id);
    if (launches && !node.hidden) {
      out.push({ ...byId.get(node.id), title: node.title || byId.get(node.id).title, depth, heading: false, ...control });
    } else if (!launches && !node.hidden && depth > 0 && node.children && node.children.length) {
      out.push({ id: node.id, title: node.title, depth, heading: true });
    }
    const own = { ...DEFAULT_2004, ...(node.control_mode || {}) };
    for (const child of node.children || []) walk(child, node.hidden ? depth : depth + 1, own);
  };
  walk(tree, 0, DEFAULT_2004);
  return out;
}

/** The launchable items, in order. */
export function launchable(manifest) {
  return pickList(manifest).filter((e) => !e.heading);
}

/** The items before and after this one that flow reaches (null where there is none or flow is off). */
export function neighbours(manifest, itemId) {
  const items = launchable(manifest);
  const at = items.findIndex((i) => i.id === itemId);
  if (at < 0 || !items[at].flow) return { previous: null, next: null };
  return { previous: at > 0 ? items[at - 1] : null, next: at + 1 < items.length ? items[at + 1] : null };
}
