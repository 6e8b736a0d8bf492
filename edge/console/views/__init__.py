"""One blueprint per resource: auth, submissions, progress, courses, rewards, tablets, health."""
