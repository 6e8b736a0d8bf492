-- learning.sqlite as the tablet code of 6040b23 (the last release before schema versions) left it, unversioned.
-- Made by fill_tablet_files.py (see its docstring), then: sqlite3 learning.sqlite .dump
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE submission (
    record_id TEXT PRIMARY KEY,           -- the record's id, chosen when held
    learner   TEXT NOT NULL,
    payload   TEXT NOT NULL,              -- the submission as it will be recorded
    state     TEXT NOT NULL DEFAULT 'held',  -- held | recorded | refused
    reason    TEXT,
    created   REAL NOT NULL
);
INSERT INTO submission VALUES('5014ad55-5594-458a-bd86-d6847f3f983b','L-0042','{"assignment": "essay-3", "course": "english-2", "text": "My essay", "attachments": [{"id": "f75d1fcc-307d-4d25-a0a5-e8b1d7808c56", "sha256": "90fd9608a8a5d5508d7469cf3037cdc0a83bd5a6fab19316ee04f11826388d1e", "size": 2004, "type": "image/jpeg", "name": "page-0.jpg"}]}','held',NULL,1796641206.9430582523);
INSERT INTO submission VALUES('b8b4d3fd-069c-462a-8906-a2e94f734e56','L-0042','{"assignment": "essay-2", "course": "english-2", "text": "Letter home", "attachments": [{"id": "f176ae0a-a58c-4506-8662-127ba6330b99", "sha256": "cb14f04eb45c39d9014d0f74470208022cd96b3bb3bf432a6e52dc1267bcfb6a", "size": 2004, "type": "image/jpeg", "name": "page-1.jpg"}]}','recorded',NULL,1796641206.9440498352);
INSERT INTO submission VALUES('7b03dc2c-1ab8-4515-a384-1d2bc20bd82f','L-0107','{"assignment": "sketch-1", "course": "art-1", "text": "", "attachments": [{"id": "517e2ce5-1262-4072-8810-a1e263323c4f", "sha256": "249b120b622e05c4908a1f4a2c6b2edf3120e85355f5a40eed59d4518dfc84c9", "size": 2004, "type": "image/jpeg", "name": "page-2.jpg"}]}','refused','unknown_learner: L-0107 is not bound to this tablet',1796641206.9450306892);
CREATE TABLE limits (id INTEGER PRIMARY KEY CHECK (id = 1), body TEXT NOT NULL);
INSERT INTO limits VALUES(1,'{"max_bytes": 10485760, "chunk_bytes": 262144, "types": ["image/jpeg", "image/png", "audio/mpeg"]}');
COMMIT;
