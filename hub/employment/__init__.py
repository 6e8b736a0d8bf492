"""Help into work (issue 14, "Employment"): job links, videos and checklists that employment advisers publish,
cached on people's phones, and each person's progress through a checklist going back to the adviser
(docs/employment.md)."""
