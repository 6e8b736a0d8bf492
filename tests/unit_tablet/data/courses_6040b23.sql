-- courses.sqlite as the tablet code of 6040b23 (the last release before schema versions) left it, unversioned.
-- Made by fill_tablet_files.py (see its docstring), then: sqlite3 courses.sqlite .dump
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE course_version (
    course    TEXT NOT NULL,
    version   INTEGER NOT NULL,
    manifest  TEXT NOT NULL,                     -- the manifest's fields as the edge listed them (JSON)
    state     TEXT NOT NULL DEFAULT 'downloading', -- downloading | available
    available REAL,                              -- when every file was verified and its tree made
    PRIMARY KEY (course, version)
);
INSERT INTO course_version VALUES('maths-1',1,'{"v":1,"course":"maths-1","version":1,"title":"Maths 1","format":"native","entry":"index.html","items":[{"id":"unit-1","title":"Unit 1","href":"index.html"}],"files":[{"path":"index.html","sha256":"0ede6eb192259587602f789070c86d7e88cc0318b7f729dc130df08e40548be0","size":18,"type":"text/html"},{"path":"style.css","sha256":"7452dbafbec4e32b94515cd3a8ed7f04d67d1caaea70e5c1d9bb9f0f0a7eb761","size":21,"type":"text/css"}],"published":"2026-11-21T10:00:00.000Z"}','available',1796641206.9793694019);
INSERT INTO course_version VALUES('english-2',3,'{"v":1,"course":"english-2","version":3,"title":"English 2","format":"native","entry":"index.html","items":[{"id":"unit-1","title":"Unit 1","href":"index.html"}],"files":[{"path":"index.html","sha256":"33455c759346bff1a39f4d15585b47b7c4b4ede749ba226e330c9b308f9c8239","size":25,"type":"text/html"}],"published":"2026-11-23T10:00:00.000Z"}','available',1796641206.9827620983);
INSERT INTO course_version VALUES('maths-1',2,'{"v":1,"course":"maths-1","version":2,"title":"Maths 1","format":"native","entry":"index.html","items":[{"id":"unit-1","title":"Unit 1","href":"index.html"}],"files":[{"path":"index.html","sha256":"568929c43297d14d4727b894eb169910517a838e2c2f5b54a80b37666772abd1","size":25,"type":"text/html"},{"path":"style.css","sha256":"7452dbafbec4e32b94515cd3a8ed7f04d67d1caaea70e5c1d9bb9f0f0a7eb761","size":21,"type":"text/css"}],"published":"2026-11-22T10:00:00.000Z"}','downloading',NULL);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO meta VALUES('list_etag','"courses-7f3a"');
COMMIT;
