--
-- PostgreSQL database dump
--

\restrict TkqGBKstSKhaVf1j94MGYLsO0TezlaNp6LULnhDhNnNddRJaBegCTGToLxpHu59

-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)
-- Dumped by pg_dump version 15.20 (Debian 15.20-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: public; Type: SCHEMA; Schema: -; Owner: -
--

-- *not* creating schema, since initdb creates it


--
-- Name: SCHEMA public; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON SCHEMA public IS '';


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: attachment_grant; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.attachment_grant (
    edge character varying(64) NOT NULL,
    sha256 character varying(64) NOT NULL,
    size bigint NOT NULL,
    type character varying(130) NOT NULL
);


--
-- Name: batch; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.batch (
    id integer NOT NULL,
    batch_id character varying(128) NOT NULL,
    edge_id character varying(64) NOT NULL,
    seq bigint NOT NULL,
    digest character varying(64) NOT NULL,
    count integer NOT NULL,
    stored integer NOT NULL,
    receipt_json text NOT NULL,
    received_at character varying(40) NOT NULL
);


--
-- Name: batch_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.batch_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: batch_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.batch_id_seq OWNED BY public.batch.id;


--
-- Name: course; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.course (
    id integer NOT NULL,
    slug character varying(63) NOT NULL,
    title text NOT NULL,
    format character varying(16) NOT NULL,
    created_at character varying(40) NOT NULL
);


--
-- Name: course_file; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.course_file (
    id integer NOT NULL,
    version_id integer NOT NULL,
    path character varying(1024) NOT NULL,
    sha256 character varying(64) NOT NULL,
    size bigint NOT NULL,
    type character varying(255) NOT NULL
);


--
-- Name: course_file_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.course_file_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: course_file_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.course_file_id_seq OWNED BY public.course_file.id;


--
-- Name: course_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.course_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: course_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.course_id_seq OWNED BY public.course.id;


--
-- Name: course_target; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.course_target (
    id integer NOT NULL,
    course_id integer NOT NULL,
    edge_id character varying(64) NOT NULL,
    "group" character varying(64) NOT NULL,
    added_at character varying(40) NOT NULL
);


--
-- Name: course_target_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.course_target_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: course_target_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.course_target_id_seq OWNED BY public.course_target.id;


--
-- Name: course_version; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.course_version (
    id integer NOT NULL,
    course_id integer NOT NULL,
    version integer NOT NULL,
    title text NOT NULL,
    published_at character varying(40) NOT NULL,
    file_count integer NOT NULL,
    total_bytes bigint NOT NULL,
    envelope text NOT NULL
);


--
-- Name: course_version_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.course_version_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: course_version_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.course_version_id_seq OWNED BY public.course_version.id;


--
-- Name: edge; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.edge (
    edge_id character varying(64) NOT NULL,
    status character varying(16) NOT NULL,
    registered_at character varying(40) NOT NULL,
    enrolled_at character varying(40) NOT NULL,
    revoked_at character varying(40),
    tablet_ca_pem text NOT NULL,
    tablet_ca_sha256 character varying(64) NOT NULL,
    dns_names text NOT NULL,
    CONSTRAINT edge_status_check CHECK (((status)::text = ANY ((ARRAY['active'::character varying, 'revoked'::character varying])::text[])))
);


--
-- Name: edge_certificate; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.edge_certificate (
    serial character varying(40) NOT NULL,
    edge_id character varying(64) NOT NULL,
    issued_at character varying(40) NOT NULL,
    not_after character varying(40) NOT NULL,
    superseded_at character varying(40),
    revoked_at character varying(40)
);


--
-- Name: edge_key; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.edge_key (
    id integer NOT NULL,
    edge_id character varying(64) NOT NULL,
    key_id character varying(16) NOT NULL,
    key_pem text NOT NULL,
    added_at character varying(40) NOT NULL,
    retired_at character varying(40)
);


--
-- Name: edge_key_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.edge_key_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: edge_key_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.edge_key_id_seq OWNED BY public.edge_key.id;


--
-- Name: enrolment_token; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.enrolment_token (
    token_id character varying(8) NOT NULL,
    secret_sha256 character varying(64) NOT NULL,
    edge_id character varying(64) NOT NULL,
    created character varying(40) NOT NULL,
    expires character varying(40) NOT NULL,
    used_at character varying(40)
);


--
-- Name: lrs_cursor; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.lrs_cursor (
    name character varying(32) NOT NULL,
    arrival bigint NOT NULL,
    forwarded bigint NOT NULL,
    updated_at character varying(40) NOT NULL
);


--
-- Name: lrs_problem; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.lrs_problem (
    record_id character varying(36) NOT NULL,
    arrival bigint NOT NULL,
    kind character varying(32) NOT NULL,
    reason text NOT NULL,
    at character varying(40) NOT NULL
);


--
-- Name: record; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.record (
    arrival bigint NOT NULL,
    id character varying(36) NOT NULL,
    edge_id character varying(64) NOT NULL,
    device character varying(64) NOT NULL,
    learner character varying(64) NOT NULL,
    kind character varying(32) NOT NULL,
    seq bigint NOT NULL,
    created character varying(40) NOT NULL,
    received_at_edge character varying(40) NOT NULL,
    received_at_hub character varying(40) NOT NULL,
    batch_id character varying(128) NOT NULL,
    payload text NOT NULL
);


--
-- Name: record_arrival_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.record_arrival_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: record_arrival_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.record_arrival_seq OWNED BY public.record.arrival;


--
-- Name: stored_attachment; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.stored_attachment (
    sha256 character varying(64) NOT NULL,
    size bigint NOT NULL,
    type character varying(130) NOT NULL,
    stored_at character varying(40) NOT NULL,
    edge character varying(64) NOT NULL
);


--
-- Name: batch id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.batch ALTER COLUMN id SET DEFAULT nextval('public.batch_id_seq'::regclass);


--
-- Name: course id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.course ALTER COLUMN id SET DEFAULT nextval('public.course_id_seq'::regclass);


--
-- Name: course_file id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.course_file ALTER COLUMN id SET DEFAULT nextval('public.course_file_id_seq'::regclass);


--
-- Name: course_target id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.course_target ALTER COLUMN id SET DEFAULT nextval('public.course_target_id_seq'::regclass);


--
-- Name: course_version id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.course_version ALTER COLUMN id SET DEFAULT nextval('public.course_version_id_seq'::regclass);


--
-- Name: edge_key id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.edge_key ALTER COLUMN id SET DEFAULT nextval('public.edge_key_id_seq'::regclass);


--
-- Name: record arrival; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.record ALTER COLUMN arrival SET DEFAULT nextval('public.record_arrival_seq'::regclass);


--
-- Data for Name: attachment_grant; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.attachment_grant VALUES ('edge-north', '0eab4186793e884baf23a388179b63638b6cbbec858076a086b7c358b8cd8613', 516, 'image/png');
INSERT INTO public.attachment_grant VALUES ('edge-north', '013f1feef8893f6ea1747a57c86d33fe279b3a968845677bf09ea01c007dafc1', 304, 'image/png');


--
-- Data for Name: batch; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.batch VALUES (1, '459517d5-12dc-4173-aab9-a2dc82031e0d', 'edge-north', 1, '4546dd25ff8f65580a8cecf34b4deb6297afbf9ac6f5a071848aea3653470a6e', 11, 11, '{"receipt": {"batch": "459517d5-12dc-4173-aab9-a2dc82031e0d", "edge": "edge-north", "digest": "4546dd25ff8f65580a8cecf34b4deb6297afbf9ac6f5a071848aea3653470a6e", "count": 11, "stored": 11, "duplicates": 0, "received": "2026-12-07T11:02:16.592Z"}, "signature": "QhbdwYTV5YvzidTTFzYTwMkZKJQp10IVlAz+g7VEap16f7eVPVC+hoLJmD4+47/qja+fil+XBbEVCipAkTvyAQ=="}', '2026-12-07T11:02:16.592Z');
INSERT INTO public.batch VALUES (2, '5e799868-812d-48b3-abc3-da0e744160f6', 'edge-south', 1, 'd7ec5badd78fa399b1a7fed7c594ac54688a3765555bb78ab4c4cbfdd77b56f4', 12, 12, '{"receipt": {"batch": "5e799868-812d-48b3-abc3-da0e744160f6", "edge": "edge-south", "digest": "d7ec5badd78fa399b1a7fed7c594ac54688a3765555bb78ab4c4cbfdd77b56f4", "count": 12, "stored": 12, "duplicates": 0, "received": "2026-12-07T11:02:16.626Z"}, "signature": "jBw2gx8v6zvhNr80b40SOaIRZyutLvF/A7SPaX8UnIIoQpM+18RBJhUIHLy5698DExJTzOL8t94qT8EAuFvdCA=="}', '2026-12-07T11:02:16.626Z');
INSERT INTO public.batch VALUES (3, '27eee06b-bc53-4b95-94aa-2e35dfd4882b', 'edge-west', 1, 'acf05f035cb0999009e836dd332f846e7b443b934ccf77ae68f4e6538a577ae6', 3, 3, '{"receipt": {"batch": "27eee06b-bc53-4b95-94aa-2e35dfd4882b", "edge": "edge-west", "digest": "acf05f035cb0999009e836dd332f846e7b443b934ccf77ae68f4e6538a577ae6", "count": 3, "stored": 3, "duplicates": 0, "received": "2026-12-07T11:02:16.669Z"}, "signature": "cqgSPPaG1mNo57xTK72JfOKuFigcHEsYlBTv7LY0qSAS5ZF+AZxvv11c5HVXBlWVovA/oU1EiV5IaHcX8W/ZBQ=="}', '2026-12-07T11:02:16.669Z');
INSERT INTO public.batch VALUES (4, '680345c5-e400-4d7e-bb9c-83743686812f', 'edge-north', 2, '0f5b6c6516c5c58cf5ca1582799632531b24d9abba4257d473472921e96b6fe7', 1, 1, '{"receipt": {"batch": "680345c5-e400-4d7e-bb9c-83743686812f", "edge": "edge-north", "digest": "0f5b6c6516c5c58cf5ca1582799632531b24d9abba4257d473472921e96b6fe7", "count": 1, "stored": 1, "duplicates": 0, "received": "2026-12-07T11:02:16.700Z"}, "signature": "kNA7Na9v4LOXpmdnUi+BpuhWKIl1Sm+JgewhjKFSIZfLUPyn5+JYYU31zrMs8W1HG+XD/5CJaaeJPrxF7wvCDA=="}', '2026-12-07T11:02:16.700Z');


--
-- Data for Name: course; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.course VALUES (1, 'maths-one', 'Introduction to maths', 'scorm12', '2026-12-07T11:02:17.060Z');
INSERT INTO public.course VALUES (2, 'first-aid', 'First aid', 'native', '2026-12-07T11:02:17.191Z');


--
-- Data for Name: course_file; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.course_file VALUES (1, 1, 'imsmanifest.xml', '5a5598794fa3fcb9178103c0e2ee66a55cd667c72ad79c00f7fafa9c399fb636', 1747, 'application/xml');
INSERT INTO public.course_file VALUES (2, 1, 'shared/scorm_api.js', 'ee5767240ec19c1e8ce1b5c456c452ad19976e543fed521518bdc8c054f4f55a', 656, 'text/javascript');
INSERT INTO public.course_file VALUES (3, 1, 'shared/style.css', 'acb925c9976508be02d0765a807327313a5c16301ad3cb96b2c471310b97cdff', 69, 'text/css');
INSERT INTO public.course_file VALUES (4, 1, 'unit1/index.html', '0c839b986e2f87995cd6509742b8a4d3e08630091a1984ec07511fb50e5bf544', 320, 'text/html');
INSERT INTO public.course_file VALUES (5, 1, 'unit2/index.html', 'c4b09ee49284a92fe35562c2e09971a1e4e361ea67571dfa21a89bfd08930ba3', 320, 'text/html');
INSERT INTO public.course_file VALUES (6, 2, 'imsmanifest.xml', '2759225f45cea1c8bf139976ff352a99915dd3cd05013582fb5e9f267afaab9e', 2118, 'application/xml');
INSERT INTO public.course_file VALUES (7, 2, 'shared/scorm_api.js', 'ee5767240ec19c1e8ce1b5c456c452ad19976e543fed521518bdc8c054f4f55a', 656, 'text/javascript');
INSERT INTO public.course_file VALUES (8, 2, 'shared/style.css', 'acb925c9976508be02d0765a807327313a5c16301ad3cb96b2c471310b97cdff', 69, 'text/css');
INSERT INTO public.course_file VALUES (9, 2, 'unit1/index.html', '0c839b986e2f87995cd6509742b8a4d3e08630091a1984ec07511fb50e5bf544', 320, 'text/html');
INSERT INTO public.course_file VALUES (10, 2, 'unit2/index.html', 'c4b09ee49284a92fe35562c2e09971a1e4e361ea67571dfa21a89bfd08930ba3', 320, 'text/html');
INSERT INTO public.course_file VALUES (11, 2, 'unit3/index.html', '22048fc05b8d445c0b46fe99d34ecd0bd730f0ceb4f871a5213baebe440504d7', 321, 'text/html');
INSERT INTO public.course_file VALUES (12, 3, 'course.json', '35ba5531402d998eed4b88d3732d8248e4676ad1290498e403aab0429e7fa3de', 871, 'application/json');
INSERT INTO public.course_file VALUES (13, 3, 'docs/handbook.pdf', 'cef3b030a93763cb836367821d6d398a276b6844b783f9e1b8f8bfca4d22e637', 193, 'application/pdf');
INSERT INTO public.course_file VALUES (14, 3, 'index.html', '2ac1a9b2256931ce63e077fdb0c8a3b832e95a4ffcd0e6f666b0c3b68d26d8ee', 155, 'text/html');
INSERT INTO public.course_file VALUES (15, 3, 'media/basics.en.vtt', '39d545c8e6591ebc39e34b93c7fb2dcec7ff5be07e4533b1a616e3a6c1b96363', 39, 'text/vtt');
INSERT INTO public.course_file VALUES (16, 3, 'media/basics.mp4', '820a5eb46886923c4b8ab99aecfdbafac3d89b11d36277c077c18eb6001bd009', 2060, 'video/mp4');
INSERT INTO public.course_file VALUES (17, 3, 'media/story.mp3', 'a773111233adeb2040887c4420a427a632d8311f78dc38ef103edcfe24c7e436', 1034, 'audio/mpeg');
INSERT INTO public.course_file VALUES (18, 3, 'quiz/check.json', 'bcdc2012bd7612d33f515d9ad3029287082b148390361e041698507c0ce10915', 483, 'application/vnd.throughgate.quiz+json');
INSERT INTO public.course_file VALUES (19, 3, 'style.css', 'acb925c9976508be02d0765a807327313a5c16301ad3cb96b2c471310b97cdff', 69, 'text/css');
INSERT INTO public.course_file VALUES (20, 3, 'tasks/first-brief.html', '0f76f1ebbb1134f922be31ed20865caa1f4c0cc6670eba8d76494aa7f89ac6c0', 69, 'text/html');
INSERT INTO public.course_file VALUES (21, 3, 'tasks/first.json', 'ce6f853010acd304e3f06f104227ffb0c26fb327672dd72ef7c146b2f981b74a', 191, 'application/vnd.throughgate.assignment+json');


--
-- Data for Name: course_target; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.course_target VALUES (1, 1, 'edge-north', '', '2026-12-07T11:02:17.223Z');
INSERT INTO public.course_target VALUES (2, 2, 'edge-south', 'wing-b', '2026-12-07T11:02:17.237Z');


--
-- Data for Name: course_version; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.course_version VALUES (1, 1, 1, 'Introduction to maths', '2026-12-07T11:02:17.060Z', 5, 3112, '{"manifest": {"v": 1, "course": "maths-one", "title": "Introduction to maths", "format": "scorm12", "entry": "unit1/index.html", "items": [{"id": "ITEM-1", "title": "Unit 1", "href": "unit1/index.html?unit=1"}, {"id": "ITEM-2", "title": "Unit 2", "href": "unit2/index.html"}], "files": [{"path": "imsmanifest.xml", "sha256": "5a5598794fa3fcb9178103c0e2ee66a55cd667c72ad79c00f7fafa9c399fb636", "size": 1747, "type": "application/xml"}, {"path": "shared/scorm_api.js", "sha256": "ee5767240ec19c1e8ce1b5c456c452ad19976e543fed521518bdc8c054f4f55a", "size": 656, "type": "text/javascript"}, {"path": "shared/style.css", "sha256": "acb925c9976508be02d0765a807327313a5c16301ad3cb96b2c471310b97cdff", "size": 69, "type": "text/css"}, {"path": "unit1/index.html", "sha256": "0c839b986e2f87995cd6509742b8a4d3e08630091a1984ec07511fb50e5bf544", "size": 320, "type": "text/html"}, {"path": "unit2/index.html", "sha256": "c4b09ee49284a92fe35562c2e09971a1e4e361ea67571dfa21a89bfd08930ba3", "size": 320, "type": "text/html"}], "version": 1, "published": "2026-12-07T11:02:17.060Z"}, "signature": "bGGdQNgpRuzSQtoAkPhLl1+uL3eOSWjWXSPaJYUn0tNUgQmrD29YtffDHJtFvcuqS6O7H7bsBYu7cRe6O1fiAw=="}');
INSERT INTO public.course_version VALUES (2, 1, 2, 'Introduction to maths', '2026-12-07T11:02:17.103Z', 6, 3804, '{"manifest": {"v": 1, "course": "maths-one", "title": "Introduction to maths", "format": "scorm12", "entry": "unit1/index.html", "items": [{"id": "ITEM-1", "title": "Unit 1", "href": "unit1/index.html?unit=1"}, {"id": "ITEM-2", "title": "Unit 2", "href": "unit2/index.html"}, {"id": "ITEM-3", "title": "Unit 3", "href": "unit3/index.html"}], "files": [{"path": "imsmanifest.xml", "sha256": "2759225f45cea1c8bf139976ff352a99915dd3cd05013582fb5e9f267afaab9e", "size": 2118, "type": "application/xml"}, {"path": "shared/scorm_api.js", "sha256": "ee5767240ec19c1e8ce1b5c456c452ad19976e543fed521518bdc8c054f4f55a", "size": 656, "type": "text/javascript"}, {"path": "shared/style.css", "sha256": "acb925c9976508be02d0765a807327313a5c16301ad3cb96b2c471310b97cdff", "size": 69, "type": "text/css"}, {"path": "unit1/index.html", "sha256": "0c839b986e2f87995cd6509742b8a4d3e08630091a1984ec07511fb50e5bf544", "size": 320, "type": "text/html"}, {"path": "unit2/index.html", "sha256": "c4b09ee49284a92fe35562c2e09971a1e4e361ea67571dfa21a89bfd08930ba3", "size": 320, "type": "text/html"}, {"path": "unit3/index.html", "sha256": "22048fc05b8d445c0b46fe99d34ecd0bd730f0ceb4f871a5213baebe440504d7", "size": 321, "type": "text/html"}], "version": 2, "published": "2026-12-07T11:02:17.103Z"}, "signature": "UBdGU01twqtxdg3pHFK7cN3cELHFS3Dvi6563Cp1cxcb/k0xZpPQGGoJfQL20MEGkx4TGz4JuCWE+asUoVCoAw=="}');
INSERT INTO public.course_version VALUES (3, 2, 1, 'First aid', '2026-12-07T11:02:17.191Z', 10, 5164, '{"manifest": {"v": 1, "course": "first-aid", "title": "First aid", "format": "native", "entry": "index.html", "items": [{"id": "welcome", "title": "Welcome", "href": "index.html"}, {"id": "handbook", "title": "Handbook", "href": "docs/handbook.pdf"}, {"id": "video-1", "title": "Watch: the basics", "href": "media/basics.mp4"}, {"id": "audio-1", "title": "Listen: a story", "href": "media/story.mp3"}, {"id": "quiz-1", "title": "Check your understanding", "href": "quiz/check.json"}, {"id": "task-1", "title": "Your first assignment", "href": "tasks/first.json"}], "files": [{"path": "course.json", "sha256": "35ba5531402d998eed4b88d3732d8248e4676ad1290498e403aab0429e7fa3de", "size": 871, "type": "application/json"}, {"path": "docs/handbook.pdf", "sha256": "cef3b030a93763cb836367821d6d398a276b6844b783f9e1b8f8bfca4d22e637", "size": 193, "type": "application/pdf"}, {"path": "index.html", "sha256": "2ac1a9b2256931ce63e077fdb0c8a3b832e95a4ffcd0e6f666b0c3b68d26d8ee", "size": 155, "type": "text/html"}, {"path": "media/basics.en.vtt", "sha256": "39d545c8e6591ebc39e34b93c7fb2dcec7ff5be07e4533b1a616e3a6c1b96363", "size": 39, "type": "text/vtt"}, {"path": "media/basics.mp4", "sha256": "820a5eb46886923c4b8ab99aecfdbafac3d89b11d36277c077c18eb6001bd009", "size": 2060, "type": "video/mp4"}, {"path": "media/story.mp3", "sha256": "a773111233adeb2040887c4420a427a632d8311f78dc38ef103edcfe24c7e436", "size": 1034, "type": "audio/mpeg"}, {"path": "quiz/check.json", "sha256": "bcdc2012bd7612d33f515d9ad3029287082b148390361e041698507c0ce10915", "size": 483, "type": "application/vnd.throughgate.quiz+json"}, {"path": "style.css", "sha256": "acb925c9976508be02d0765a807327313a5c16301ad3cb96b2c471310b97cdff", "size": 69, "type": "text/css"}, {"path": "tasks/first-brief.html", "sha256": "0f76f1ebbb1134f922be31ed20865caa1f4c0cc6670eba8d76494aa7f89ac6c0", "size": 69, "type": "text/html"}, {"path": "tasks/first.json", "sha256": "ce6f853010acd304e3f06f104227ffb0c26fb327672dd72ef7c146b2f981b74a", "size": 191, "type": "application/vnd.throughgate.assignment+json"}], "version": 1, "published": "2026-12-07T11:02:17.191Z"}, "signature": "9SoK7rfww2FoJbWdOjDvZWcuZY2KyDcUjN2C4sgQ5aVVGBs4kbJL0hCAnvOo8HCQTFLeOhA/JCoBhuCXgsjWCg=="}');


--
-- Data for Name: edge; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.edge VALUES ('edge-north', 'active', '2026-12-07T11:02:16.428Z', '2026-12-07T11:02:16.451Z', NULL, '-----BEGIN CERTIFICATE-----
MIIB+zCCAaKgAwIBAgIUTela2MyQfzQB2xuvP+GBlSL1niowCgYIKoZIzj0EAwIw
SjEUMBIGA1UECgwLVGhyb3VnaGdhdGUxEzARBgNVBAsMCmVkZ2Utbm9ydGgxHTAb
BgNVBAMMFGVkZ2Utbm9ydGggdGFibGV0IENBMB4XDTI2MTIwNzEwMDIxNloXDTM2
MTIwNDExMDIxNlowSjEUMBIGA1UECgwLVGhyb3VnaGdhdGUxEzARBgNVBAsMCmVk
Z2Utbm9ydGgxHTAbBgNVBAMMFGVkZ2Utbm9ydGggdGFibGV0IENBMFkwEwYHKoZI
zj0CAQYIKoZIzj0DAQcDQgAEhAOUmPd41XfzXUBElRKnyBGGyqC9UetBMQp7yhHQ
qkmDrXLXYlguamkuDOuIRlX1f6RQnND0wTzTxE4z/U2VI6NmMGQwEgYDVR0TAQH/
BAgwBgEB/wIBADAOBgNVHQ8BAf8EBAMCAQYwHQYDVR0OBBYEFGI/7jidF/Lqkrb4
x9gR/Qy+flQTMB8GA1UdIwQYMBaAFGI/7jidF/Lqkrb4x9gR/Qy+flQTMAoGCCqG
SM49BAMCA0cAMEQCIHcMopDC60Q+mLC7n9/v5z0zccfLmx1OMCr+1yK3G5BYAiA4
zFTQ6K5/Yrm7dD4z5Ylso6kGqh6o9P3DUXjgzeTkVQ==
-----END CERTIFICATE-----
', 'ec11eefc3132ce82da5ebea1bda5b842582b0dc7703ef84bc3ac04abf86b0b55', '["edge-north.throughgate.internal"]');
INSERT INTO public.edge VALUES ('edge-south', 'active', '2026-12-07T11:02:16.486Z', '2026-12-07T11:02:16.486Z', NULL, '-----BEGIN CERTIFICATE-----
MIIB/DCCAaKgAwIBAgIUfeLyOV/RUTcfWuLg0bDLjGJtWBswCgYIKoZIzj0EAwIw
SjEUMBIGA1UECgwLVGhyb3VnaGdhdGUxEzARBgNVBAsMCmVkZ2Utc291dGgxHTAb
BgNVBAMMFGVkZ2Utc291dGggdGFibGV0IENBMB4XDTI2MTIwNzEwMDIxNloXDTM2
MTIwNDExMDIxNlowSjEUMBIGA1UECgwLVGhyb3VnaGdhdGUxEzARBgNVBAsMCmVk
Z2Utc291dGgxHTAbBgNVBAMMFGVkZ2Utc291dGggdGFibGV0IENBMFkwEwYHKoZI
zj0CAQYIKoZIzj0DAQcDQgAEJuijeOX13DIyZca+i390OwSV6CtyNtKAlCd3PU/R
GAVG38h+YOGKcYBiOpoTlWe9iHA93Q98pXkF10nRjkruWaNmMGQwEgYDVR0TAQH/
BAgwBgEB/wIBADAOBgNVHQ8BAf8EBAMCAQYwHQYDVR0OBBYEFLCzdkgRHrGNEoPb
U1QPZZb/T/GbMB8GA1UdIwQYMBaAFLCzdkgRHrGNEoPbU1QPZZb/T/GbMAoGCCqG
SM49BAMCA0gAMEUCICq/KhBbHD0UhAHdVwzjDr2h6aM3Zi21RAgDVHQxOlz9AiEA
2uT4DCqKjrRTA+NaUfgtaNeFYPDZK3qfAciMaNVqx44=
-----END CERTIFICATE-----
', '45abb6b0e2c5f6e1b645bfaf1b7f9d77b2ad703e2d061324131cdaf06cb61e6a', '["edge-south.throughgate.internal"]');
INSERT INTO public.edge VALUES ('edge-west', 'revoked', '2026-12-07T11:02:16.523Z', '2026-12-07T11:02:16.523Z', '2026-12-07T11:02:17.240Z', '-----BEGIN CERTIFICATE-----
MIIB+TCCAZ6gAwIBAgIUO3Cb+oKW+g7o1VeE/YYrs7Oco2EwCgYIKoZIzj0EAwIw
SDEUMBIGA1UECgwLVGhyb3VnaGdhdGUxEjAQBgNVBAsMCWVkZ2Utd2VzdDEcMBoG
A1UEAwwTZWRnZS13ZXN0IHRhYmxldCBDQTAeFw0yNjEyMDcxMDAyMTZaFw0zNjEy
MDQxMTAyMTZaMEgxFDASBgNVBAoMC1Rocm91Z2hnYXRlMRIwEAYDVQQLDAllZGdl
LXdlc3QxHDAaBgNVBAMME2VkZ2Utd2VzdCB0YWJsZXQgQ0EwWTATBgcqhkjOPQIB
BggqhkjOPQMBBwNCAASIg36tTJ9VH/4tWxGFZcxowFG3P6bELm7GB7Rqrch2RWRS
32rZoqIc+ESap4FYhFu64kDrP3MN5MFtz9+hIoB/o2YwZDASBgNVHRMBAf8ECDAG
AQH/AgEAMA4GA1UdDwEB/wQEAwIBBjAdBgNVHQ4EFgQU+pQbBhmR3HXnj/6R/2oE
7Qhs7/kwHwYDVR0jBBgwFoAU+pQbBhmR3HXnj/6R/2oE7Qhs7/kwCgYIKoZIzj0E
AwIDSQAwRgIhAOMkfzywyfm8TW4IDdHyXbExg7qcPGJTp7Iftm2vB10YAiEAmrnx
MdssYWerzBsb5eY30zgIE9TcR2do0eHCny8EY54=
-----END CERTIFICATE-----
', '802b9af9a83d02a83ade5cd885a2d63e7bead3318b28915ad754986a361738f6', '["edge-west.throughgate.internal"]');


--
-- Data for Name: edge_certificate; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.edge_certificate VALUES ('4c1a3c1fd4ae2e44c753852b73ea84cb4d01db2d', 'edge-north', '2026-12-07T11:02:16.428Z', '2027-01-06T11:02:16.000Z', NULL, '2026-12-07T11:02:16.451Z');
INSERT INTO public.edge_certificate VALUES ('15cadde977f43ce3d696173da89716ab018d49f3', 'edge-north', '2026-12-07T11:02:16.451Z', '2027-01-06T11:02:16.000Z', NULL, NULL);
INSERT INTO public.edge_certificate VALUES ('386f21ecceda18586d559b611e487d249236bf21', 'edge-south', '2026-12-07T11:02:16.486Z', '2027-01-06T11:02:16.000Z', NULL, NULL);
INSERT INTO public.edge_certificate VALUES ('57fea1ba6f9d8929a63d6278d2aa7bffd0612181', 'edge-west', '2026-12-07T11:02:16.523Z', '2027-01-06T11:02:16.000Z', NULL, NULL);


--
-- Data for Name: edge_key; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.edge_key VALUES (1, 'edge-north', '2d56bdd288da0281', '-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEACJ12AZm2Re0rDKivDOqRW6L58zzwSc12Er502hDDgB0=
-----END PUBLIC KEY-----
', '2026-12-07T11:02:16.428Z', '2026-12-21T11:02:16.451Z');
INSERT INTO public.edge_key VALUES (2, 'edge-north', '4da5bd2f9ff819fc', '-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAsKSZF6ZMc8UVCEUc81TIKldkeAc+OVvcgoKTU1/kJJk=
-----END PUBLIC KEY-----
', '2026-12-07T11:02:16.451Z', NULL);
INSERT INTO public.edge_key VALUES (3, 'edge-south', '88f61d6fcadadfb7', '-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEARXtLTP95VAOWSas7VFji3gezFr6PO3zVpvGRtt4GRfg=
-----END PUBLIC KEY-----
', '2026-12-07T11:02:16.486Z', NULL);
INSERT INTO public.edge_key VALUES (4, 'edge-west', 'ba124b3db2052421', '-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEATVobRTTvn9X+kYDvMXGsAwTRJwW98BJcZSOOV8PQGfU=
-----END PUBLIC KEY-----
', '2026-12-07T11:02:16.523Z', NULL);


--
-- Data for Name: enrolment_token; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.enrolment_token VALUES ('1eb9d788', 'fdb3fd5e78294c2d41993625a41fb0e32e90b0667998320ea46922ef60555922', 'edge-north', '2026-12-07T11:02:16.422Z', '2026-12-07T11:12:16.422Z', '2026-12-07T11:02:16.428Z');
INSERT INTO public.enrolment_token VALUES ('c5b1e02d', 'a320100493e7b65af44a30b93cab2a6e808ddcda4957dbab54e8d77120443204', 'edge-north', '2026-12-07T11:02:16.448Z', '2026-12-07T11:12:16.448Z', '2026-12-07T11:02:16.451Z');
INSERT INTO public.enrolment_token VALUES ('2a3ac685', '0c68d2aa039884e5a9dcd5e7684955b72d176c0366d8b96f88d04ca311bd001f', 'edge-south', '2026-12-07T11:02:16.480Z', '2026-12-07T11:12:16.480Z', '2026-12-07T11:02:16.486Z');
INSERT INTO public.enrolment_token VALUES ('304dbfd8', '3f06890c10b910968e12d9cfc11084e2fa346b388588272579be8428e1e65971', 'edge-west', '2026-12-07T11:02:16.521Z', '2026-12-07T11:12:16.521Z', '2026-12-07T11:02:16.523Z');
INSERT INTO public.enrolment_token VALUES ('fa022591', '952aa0c0bacbf63908d511609ed6d0e81df5fe265d3bcb50de0be1123d0048d0', 'edge-east', '2026-12-07T11:02:16.538Z', '2026-12-07T12:02:16.538Z', NULL);
INSERT INTO public.enrolment_token VALUES ('a5f8bcbd', '1fe5d6b17c4fbfb9d7a4d9432d8436c583e3a5b91cabbb717680fc915f3decb9', 'edge-spare', '2026-12-07T11:02:16.548Z', '2026-12-07T11:02:17.548Z', NULL);


--
-- Data for Name: lrs_cursor; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.lrs_cursor VALUES ('lrs', 27, 24, '2026-12-07T11:02:16.988Z');


--
-- Data for Name: lrs_problem; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.lrs_problem VALUES ('a7715a12-2bb9-4ebb-88ca-d4924bd547cb', 23, 'progress_statement', 'the statement has no ''id''', '2026-12-07T11:02:16.973Z');


--
-- Data for Name: record; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.record VALUES (1, 'ebe5a329-db8e-4cd2-a021-64aaaeb765e9', 'edge-north', 'tablet-1', 'L-0042', 'progress_statement', 1, '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.592Z', '459517d5-12dc-4173-aab9-a2dc82031e0d', '{"id":"ebe5a329-db8e-4cd2-a021-64aaaeb765e9","timestamp":"2026-12-07T11:02:16.569Z","actor":{"objectType":"Agent","account":{"homePage":"urn:throughgate","name":"L-0042"}},"verb":{"id":"http://adlnet.gov/expapi/verbs/completed","display":{"en-US":"completed"}},"object":{"objectType":"Activity","id":"urn:throughgate:course:maths-1/unit-1","definition":{"name":{"en-US":"Unit 1"}}},"result":{"completion":true,"score":{"scaled":0.8,"raw":8,"min":0,"max":10}}}');
INSERT INTO public.record VALUES (2, 'a7bbf5a8-ca18-46a7-9e51-3454484ea231', 'edge-north', 'tablet-1', 'L-0042', 'progress_statement', 2, '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.592Z', '459517d5-12dc-4173-aab9-a2dc82031e0d', '{"id":"a7bbf5a8-ca18-46a7-9e51-3454484ea231","timestamp":"2026-12-07T11:02:16.569Z","actor":{"objectType":"Agent","account":{"homePage":"urn:throughgate","name":"L-0042"}},"verb":{"id":"http://adlnet.gov/expapi/verbs/completed","display":{"en-US":"completed"}},"object":{"objectType":"Activity","id":"urn:throughgate:course:maths-1/unit-2","definition":{"name":{"en-US":"Unit 2"}}},"result":{"completion":true,"score":{"scaled":0.8,"raw":8,"min":0,"max":10}}}');
INSERT INTO public.record VALUES (3, '4149b71e-ade7-43a6-95c2-80a7de0dfd67', 'edge-north', 'tablet-1', 'L-0042', 'progress_statement', 3, '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.592Z', '459517d5-12dc-4173-aab9-a2dc82031e0d', '{"id":"4149b71e-ade7-43a6-95c2-80a7de0dfd67","timestamp":"2026-12-07T11:02:16.569Z","actor":{"objectType":"Agent","account":{"homePage":"urn:throughgate","name":"L-0042"}},"verb":{"id":"http://adlnet.gov/expapi/verbs/completed","display":{"en-US":"completed"}},"object":{"objectType":"Activity","id":"urn:throughgate:course:maths-1/unit-3","definition":{"name":{"en-US":"Unit 3"}}},"result":{"completion":true,"score":{"scaled":0.8,"raw":8,"min":0,"max":10}}}');
INSERT INTO public.record VALUES (4, 'e854fc4f-1d20-4f12-9ab0-f544e9e6f188', 'edge-north', 'tablet-1', 'L-0042', 'progress_statement', 4, '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.592Z', '459517d5-12dc-4173-aab9-a2dc82031e0d', '{"id":"e854fc4f-1d20-4f12-9ab0-f544e9e6f188","timestamp":"2026-12-07T11:02:16.569Z","actor":{"objectType":"Agent","account":{"homePage":"urn:throughgate","name":"L-0042"}},"verb":{"id":"http://adlnet.gov/expapi/verbs/completed","display":{"en-US":"completed"}},"object":{"objectType":"Activity","id":"urn:throughgate:course:maths-1/unit-4","definition":{"name":{"en-US":"Unit 4"}}},"result":{"completion":true,"score":{"scaled":0.8,"raw":8,"min":0,"max":10}}}');
INSERT INTO public.record VALUES (5, 'ee36a8a3-9cf0-43b1-a10c-2b974b4f702a', 'edge-north', 'tablet-1', 'L-0042', 'progress_statement', 5, '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.592Z', '459517d5-12dc-4173-aab9-a2dc82031e0d', '{"id":"ee36a8a3-9cf0-43b1-a10c-2b974b4f702a","timestamp":"2026-12-07T11:02:16.569Z","actor":{"objectType":"Agent","account":{"homePage":"urn:throughgate","name":"L-0042"}},"verb":{"id":"http://adlnet.gov/expapi/verbs/completed","display":{"en-US":"completed"}},"object":{"objectType":"Activity","id":"urn:throughgate:course:maths-1/unit-5","definition":{"name":{"en-US":"Unit 5"}}},"result":{"completion":true,"score":{"scaled":0.8,"raw":8,"min":0,"max":10}}}');
INSERT INTO public.record VALUES (6, '6f1ef4df-f659-4138-9e21-4aaf8877f323', 'edge-north', 'tablet-1', 'L-0042', 'quiz_answer', 6, '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.592Z', '459517d5-12dc-4173-aab9-a2dc82031e0d', '{"id":"6f1ef4df-f659-4138-9e21-4aaf8877f323","timestamp":"2026-12-07T11:02:16.569Z","actor":{"objectType":"Agent","account":{"homePage":"urn:throughgate","name":"L-0042"}},"verb":{"id":"http://adlnet.gov/expapi/verbs/answered","display":{"en-US":"answered"}},"object":{"objectType":"Activity","id":"urn:throughgate:course:maths-1/quiz-1%2Fq1","definition":{"name":{"en-US":"Question 1"}}},"result":{"response":"3/4","success":true}}');
INSERT INTO public.record VALUES (7, '677a511c-28fc-42bf-b9e5-4487fd2d2e9d', 'edge-north', 'tablet-1', 'L-0042', 'quiz_answer', 7, '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.592Z', '459517d5-12dc-4173-aab9-a2dc82031e0d', '{"id":"677a511c-28fc-42bf-b9e5-4487fd2d2e9d","timestamp":"2026-12-07T11:02:16.569Z","actor":{"objectType":"Agent","account":{"homePage":"urn:throughgate","name":"L-0042"}},"verb":{"id":"http://adlnet.gov/expapi/verbs/answered","display":{"en-US":"answered"}},"object":{"objectType":"Activity","id":"urn:throughgate:course:maths-1/quiz-1%2Fq1","definition":{"name":{"en-US":"Question 1"}}},"result":{"response":"3/4","success":true}}');
INSERT INTO public.record VALUES (8, '161ae977-9f86-47b5-9d32-e4a7a98d4bf2', 'edge-north', 'tablet-1', 'L-0042', 'assignment_submission', 8, '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.592Z', '459517d5-12dc-4173-aab9-a2dc82031e0d', '{"assignment":"essay-1","course":"english-2","text":"My essay about the book.","attachments":[]}');
INSERT INTO public.record VALUES (9, '7912f23f-593b-424b-82ba-a75783caa90f', 'edge-north', 'console', 'L-0042', 'feedback', 9, '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.592Z', '459517d5-12dc-4173-aab9-a2dc82031e0d', '{"submission":"161ae977-9f86-47b5-9d32-e4a7a98d4bf2","assignment":"essay-1","grade":"7/10","feedback":"Good work: say more about chapter 2.","marker":"tutor-jones","marked":"2026-12-07T11:02:16.569Z"}');
INSERT INTO public.record VALUES (10, '1872c370-b0b5-48ef-b151-54b433062b52', 'edge-north', 'console', 'L-0042', 'award', 10, '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.592Z', '459517d5-12dc-4173-aab9-a2dc82031e0d', '{"badge":"first-unit","rule":"complete 1 unit of maths-1","awarded":"2026-12-07T11:02:16.569Z"}');
INSERT INTO public.record VALUES (11, '62869b2c-4082-46a2-96fd-728873e152b5', 'edge-north', 'tablet-1', 'L-0042', 'message', 11, '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.592Z', '459517d5-12dc-4173-aab9-a2dc82031e0d', '{"text":"hello"}');
INSERT INTO public.record VALUES (12, '450de562-1cb9-4b9b-a799-cac56a624859', 'edge-south', 'tablet-1', 'L-0043', 'progress_statement', 1, '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.626Z', '5e799868-812d-48b3-abc3-da0e744160f6', '{"id":"450de562-1cb9-4b9b-a799-cac56a624859","timestamp":"2026-12-07T11:02:16.569Z","actor":{"objectType":"Agent","account":{"homePage":"urn:throughgate","name":"L-0043"}},"verb":{"id":"http://adlnet.gov/expapi/verbs/completed","display":{"en-US":"completed"}},"object":{"objectType":"Activity","id":"urn:throughgate:course:maths-1/unit-1","definition":{"name":{"en-US":"Unit 1"}}},"result":{"completion":true,"score":{"scaled":0.8,"raw":8,"min":0,"max":10}}}');
INSERT INTO public.record VALUES (13, 'bd70cd92-aed6-4dac-9965-bdcfd7f39bfc', 'edge-south', 'tablet-1', 'L-0043', 'progress_statement', 2, '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.626Z', '5e799868-812d-48b3-abc3-da0e744160f6', '{"id":"bd70cd92-aed6-4dac-9965-bdcfd7f39bfc","timestamp":"2026-12-07T11:02:16.569Z","actor":{"objectType":"Agent","account":{"homePage":"urn:throughgate","name":"L-0043"}},"verb":{"id":"http://adlnet.gov/expapi/verbs/completed","display":{"en-US":"completed"}},"object":{"objectType":"Activity","id":"urn:throughgate:course:maths-1/unit-2","definition":{"name":{"en-US":"Unit 2"}}},"result":{"completion":true,"score":{"scaled":0.8,"raw":8,"min":0,"max":10}}}');
INSERT INTO public.record VALUES (14, '878ec1bf-cdab-43c5-8638-96b2b031c50b', 'edge-south', 'tablet-1', 'L-0043', 'progress_statement', 3, '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.626Z', '5e799868-812d-48b3-abc3-da0e744160f6', '{"id":"878ec1bf-cdab-43c5-8638-96b2b031c50b","timestamp":"2026-12-07T11:02:16.569Z","actor":{"objectType":"Agent","account":{"homePage":"urn:throughgate","name":"L-0043"}},"verb":{"id":"http://adlnet.gov/expapi/verbs/completed","display":{"en-US":"completed"}},"object":{"objectType":"Activity","id":"urn:throughgate:course:maths-1/unit-3","definition":{"name":{"en-US":"Unit 3"}}},"result":{"completion":true,"score":{"scaled":0.8,"raw":8,"min":0,"max":10}}}');
INSERT INTO public.record VALUES (15, '025e9ea2-65e1-4645-866f-97b46f2e3b55', 'edge-south', 'tablet-1', 'L-0043', 'progress_statement', 4, '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.626Z', '5e799868-812d-48b3-abc3-da0e744160f6', '{"id":"025e9ea2-65e1-4645-866f-97b46f2e3b55","timestamp":"2026-12-07T11:02:16.569Z","actor":{"objectType":"Agent","account":{"homePage":"urn:throughgate","name":"L-0043"}},"verb":{"id":"http://adlnet.gov/expapi/verbs/completed","display":{"en-US":"completed"}},"object":{"objectType":"Activity","id":"urn:throughgate:course:maths-1/unit-4","definition":{"name":{"en-US":"Unit 4"}}},"result":{"completion":true,"score":{"scaled":0.8,"raw":8,"min":0,"max":10}}}');
INSERT INTO public.record VALUES (16, '2e970960-6b74-402a-afec-9f5e7dde8b3e', 'edge-south', 'tablet-1', 'L-0043', 'progress_statement', 5, '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.626Z', '5e799868-812d-48b3-abc3-da0e744160f6', '{"id":"2e970960-6b74-402a-afec-9f5e7dde8b3e","timestamp":"2026-12-07T11:02:16.569Z","actor":{"objectType":"Agent","account":{"homePage":"urn:throughgate","name":"L-0043"}},"verb":{"id":"http://adlnet.gov/expapi/verbs/completed","display":{"en-US":"completed"}},"object":{"objectType":"Activity","id":"urn:throughgate:course:maths-1/unit-5","definition":{"name":{"en-US":"Unit 5"}}},"result":{"completion":true,"score":{"scaled":0.8,"raw":8,"min":0,"max":10}}}');
INSERT INTO public.record VALUES (17, '6e730104-4e2a-4013-8a46-1113a7e4ad2b', 'edge-south', 'tablet-1', 'L-0043', 'quiz_answer', 6, '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.626Z', '5e799868-812d-48b3-abc3-da0e744160f6', '{"id":"6e730104-4e2a-4013-8a46-1113a7e4ad2b","timestamp":"2026-12-07T11:02:16.569Z","actor":{"objectType":"Agent","account":{"homePage":"urn:throughgate","name":"L-0043"}},"verb":{"id":"http://adlnet.gov/expapi/verbs/answered","display":{"en-US":"answered"}},"object":{"objectType":"Activity","id":"urn:throughgate:course:maths-1/quiz-1%2Fq1","definition":{"name":{"en-US":"Question 1"}}},"result":{"response":"3/4","success":true}}');
INSERT INTO public.record VALUES (18, '486268d6-16ac-45eb-88c4-d73fdb8ccafb', 'edge-south', 'tablet-1', 'L-0043', 'quiz_answer', 7, '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.626Z', '5e799868-812d-48b3-abc3-da0e744160f6', '{"id":"486268d6-16ac-45eb-88c4-d73fdb8ccafb","timestamp":"2026-12-07T11:02:16.569Z","actor":{"objectType":"Agent","account":{"homePage":"urn:throughgate","name":"L-0043"}},"verb":{"id":"http://adlnet.gov/expapi/verbs/answered","display":{"en-US":"answered"}},"object":{"objectType":"Activity","id":"urn:throughgate:course:maths-1/quiz-1%2Fq1","definition":{"name":{"en-US":"Question 1"}}},"result":{"response":"3/4","success":true}}');
INSERT INTO public.record VALUES (19, '81dd86a9-0066-4c6a-8613-98235524d785', 'edge-south', 'tablet-1', 'L-0043', 'assignment_submission', 8, '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.626Z', '5e799868-812d-48b3-abc3-da0e744160f6', '{"assignment":"essay-1","course":"english-2","text":"My essay about the book.","attachments":[]}');
INSERT INTO public.record VALUES (20, '2d61988f-b8d8-48b4-b48c-37aa24cebf57', 'edge-south', 'console', 'L-0043', 'feedback', 9, '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.626Z', '5e799868-812d-48b3-abc3-da0e744160f6', '{"submission":"81dd86a9-0066-4c6a-8613-98235524d785","assignment":"essay-1","grade":"7/10","feedback":"Good work: say more about chapter 2.","marker":"tutor-jones","marked":"2026-12-07T11:02:16.569Z"}');
INSERT INTO public.record VALUES (21, '550095a0-96ce-4167-bf35-e9158dd6cb27', 'edge-south', 'console', 'L-0043', 'award', 10, '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.626Z', '5e799868-812d-48b3-abc3-da0e744160f6', '{"badge":"first-unit","rule":"complete 1 unit of maths-1","awarded":"2026-12-07T11:02:16.569Z"}');
INSERT INTO public.record VALUES (22, '36f9b8a9-5d75-4587-a1d4-82b6d77c6ec8', 'edge-south', 'tablet-1', 'L-0043', 'message', 11, '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.626Z', '5e799868-812d-48b3-abc3-da0e744160f6', '{"text":"hello"}');
INSERT INTO public.record VALUES (23, 'a7715a12-2bb9-4ebb-88ca-d4924bd547cb', 'edge-south', 'tablet-1', 'L-0043', 'progress_statement', 30, '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.626Z', '5e799868-812d-48b3-abc3-da0e744160f6', '{"verb":"completed"}');
INSERT INTO public.record VALUES (24, '92dc1416-39a2-45c2-beb3-72b133503f22', 'edge-west', 'tablet-1', 'L-0044', 'progress_statement', 1, '2026-12-07T11:02:16.569Z', '2026-12-07T11:02:16.570Z', '2026-12-07T11:02:16.669Z', '27eee06b-bc53-4b95-94aa-2e35dfd4882b', '{"id":"92dc1416-39a2-45c2-beb3-72b133503f22","timestamp":"2026-12-07T11:02:16.569Z","actor":{"objectType":"Agent","account":{"homePage":"urn:throughgate","name":"L-0044"}},"verb":{"id":"http://adlnet.gov/expapi/verbs/completed","display":{"en-US":"completed"}},"object":{"objectType":"Activity","id":"urn:throughgate:course:maths-1/unit-1","definition":{"name":{"en-US":"Unit 1"}}},"result":{"completion":true,"score":{"scaled":0.8,"raw":8,"min":0,"max":10}}}');
INSERT INTO public.record VALUES (25, 'be737752-1141-4787-9205-c82b28be1179', 'edge-west', 'tablet-1', 'L-0044', 'progress_statement', 2, '2026-12-07T11:02:16.570Z', '2026-12-07T11:02:16.570Z', '2026-12-07T11:02:16.669Z', '27eee06b-bc53-4b95-94aa-2e35dfd4882b', '{"id":"be737752-1141-4787-9205-c82b28be1179","timestamp":"2026-12-07T11:02:16.570Z","actor":{"objectType":"Agent","account":{"homePage":"urn:throughgate","name":"L-0044"}},"verb":{"id":"http://adlnet.gov/expapi/verbs/completed","display":{"en-US":"completed"}},"object":{"objectType":"Activity","id":"urn:throughgate:course:maths-1/unit-2","definition":{"name":{"en-US":"Unit 2"}}},"result":{"completion":true,"score":{"scaled":0.8,"raw":8,"min":0,"max":10}}}');
INSERT INTO public.record VALUES (26, '9003318d-a9f0-4511-9cea-df77327f29e5', 'edge-west', 'tablet-1', 'L-0044', 'progress_statement', 3, '2026-12-07T11:02:16.570Z', '2026-12-07T11:02:16.570Z', '2026-12-07T11:02:16.669Z', '27eee06b-bc53-4b95-94aa-2e35dfd4882b', '{"id":"9003318d-a9f0-4511-9cea-df77327f29e5","timestamp":"2026-12-07T11:02:16.570Z","actor":{"objectType":"Agent","account":{"homePage":"urn:throughgate","name":"L-0044"}},"verb":{"id":"http://adlnet.gov/expapi/verbs/completed","display":{"en-US":"completed"}},"object":{"objectType":"Activity","id":"urn:throughgate:course:maths-1/unit-3","definition":{"name":{"en-US":"Unit 3"}}},"result":{"completion":true,"score":{"scaled":0.8,"raw":8,"min":0,"max":10}}}');
INSERT INTO public.record VALUES (27, '022f99d9-0f6f-41bd-a654-545fcda8f4c3', 'edge-north', 'tab-1', 'L-0042', 'assignment_submission', 20, '2026-12-07T11:02:16.570Z', '2026-12-07T11:02:16.570Z', '2026-12-07T11:02:16.700Z', '680345c5-e400-4d7e-bb9c-83743686812f', '{"assignment":"essay-3","course":"english-2","text":"My essay","attachments":[{"id":"bb90b238-080a-4fe5-ba61-c6f74a7ddd76","sha256":"0eab4186793e884baf23a388179b63638b6cbbec858076a086b7c358b8cd8613","size":516,"type":"image/png","name":"page-0.png"},{"id":"6ffd88e1-0e9b-4d26-a34d-2902f167c411","sha256":"013f1feef8893f6ea1747a57c86d33fe279b3a968845677bf09ea01c007dafc1","size":304,"type":"image/png","name":"page-1.png"}]}');


--
-- Data for Name: stored_attachment; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.stored_attachment VALUES ('0eab4186793e884baf23a388179b63638b6cbbec858076a086b7c358b8cd8613', 516, 'image/png', '2026-12-07T11:02:16.809Z', 'edge-north');


--
-- Name: batch_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.batch_id_seq', 4, true);


--
-- Name: course_file_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.course_file_id_seq', 21, true);


--
-- Name: course_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.course_id_seq', 2, true);


--
-- Name: course_target_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.course_target_id_seq', 2, true);


--
-- Name: course_version_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.course_version_id_seq', 3, true);


--
-- Name: edge_key_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.edge_key_id_seq', 4, true);


--
-- Name: record_arrival_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.record_arrival_seq', 27, true);


--
-- Name: attachment_grant attachment_grant_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.attachment_grant
    ADD CONSTRAINT attachment_grant_pkey PRIMARY KEY (edge, sha256);


--
-- Name: batch batch_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.batch
    ADD CONSTRAINT batch_pkey PRIMARY KEY (id);


--
-- Name: course_file course_file_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.course_file
    ADD CONSTRAINT course_file_pkey PRIMARY KEY (id);


--
-- Name: course course_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.course
    ADD CONSTRAINT course_pkey PRIMARY KEY (id);


--
-- Name: course_target course_target_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.course_target
    ADD CONSTRAINT course_target_pkey PRIMARY KEY (id);


--
-- Name: course_version course_version_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.course_version
    ADD CONSTRAINT course_version_pkey PRIMARY KEY (id);


--
-- Name: edge_certificate edge_certificate_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.edge_certificate
    ADD CONSTRAINT edge_certificate_pkey PRIMARY KEY (serial);


--
-- Name: edge_key edge_key_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.edge_key
    ADD CONSTRAINT edge_key_pkey PRIMARY KEY (id);


--
-- Name: edge edge_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.edge
    ADD CONSTRAINT edge_pkey PRIMARY KEY (edge_id);


--
-- Name: enrolment_token enrolment_token_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.enrolment_token
    ADD CONSTRAINT enrolment_token_pkey PRIMARY KEY (token_id);


--
-- Name: lrs_cursor lrs_cursor_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.lrs_cursor
    ADD CONSTRAINT lrs_cursor_pkey PRIMARY KEY (name);


--
-- Name: lrs_problem lrs_problem_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.lrs_problem
    ADD CONSTRAINT lrs_problem_pkey PRIMARY KEY (record_id);


--
-- Name: record record_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.record
    ADD CONSTRAINT record_pkey PRIMARY KEY (arrival);


--
-- Name: stored_attachment stored_attachment_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.stored_attachment
    ADD CONSTRAINT stored_attachment_pkey PRIMARY KEY (sha256);


--
-- Name: batch_batch_id; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX batch_batch_id ON public.batch USING btree (batch_id);


--
-- Name: batch_edge_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX batch_edge_id ON public.batch USING btree (edge_id);


--
-- Name: course_slug; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX course_slug ON public.course USING btree (slug);


--
-- Name: coursefile_sha256; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX coursefile_sha256 ON public.course_file USING btree (sha256);


--
-- Name: coursefile_version_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX coursefile_version_id ON public.course_file USING btree (version_id);


--
-- Name: coursefile_version_id_path; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX coursefile_version_id_path ON public.course_file USING btree (version_id, path);


--
-- Name: coursetarget_course_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX coursetarget_course_id ON public.course_target USING btree (course_id);


--
-- Name: coursetarget_course_id_edge_id_group; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX coursetarget_course_id_edge_id_group ON public.course_target USING btree (course_id, edge_id, "group");


--
-- Name: coursetarget_edge_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX coursetarget_edge_id ON public.course_target USING btree (edge_id);


--
-- Name: courseversion_course_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX courseversion_course_id ON public.course_version USING btree (course_id);


--
-- Name: courseversion_course_id_version; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX courseversion_course_id_version ON public.course_version USING btree (course_id, version);


--
-- Name: edgecertificate_edge_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX edgecertificate_edge_id ON public.edge_certificate USING btree (edge_id);


--
-- Name: edgekey_edge_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX edgekey_edge_id ON public.edge_key USING btree (edge_id);


--
-- Name: edgekey_edge_id_key_id; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX edgekey_edge_id_key_id ON public.edge_key USING btree (edge_id, key_id);


--
-- Name: lrsproblem_arrival; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX lrsproblem_arrival ON public.lrs_problem USING btree (arrival);


--
-- Name: record_edge_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX record_edge_id ON public.record USING btree (edge_id);


--
-- Name: record_edge_id_device_seq; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX record_edge_id_device_seq ON public.record USING btree (edge_id, device, seq);


--
-- Name: record_id; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX record_id ON public.record USING btree (id);


--
-- Name: record_kind; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX record_kind ON public.record USING btree (kind);


--
-- Name: record_learner; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX record_learner ON public.record USING btree (learner);


--
-- Name: batch batch_edge_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.batch
    ADD CONSTRAINT batch_edge_id_fkey FOREIGN KEY (edge_id) REFERENCES public.edge(edge_id) ON DELETE RESTRICT;


--
-- Name: course_file course_file_version_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.course_file
    ADD CONSTRAINT course_file_version_id_fkey FOREIGN KEY (version_id) REFERENCES public.course_version(id) ON DELETE RESTRICT;


--
-- Name: course_target course_target_course_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.course_target
    ADD CONSTRAINT course_target_course_id_fkey FOREIGN KEY (course_id) REFERENCES public.course(id) ON DELETE RESTRICT;


--
-- Name: course_target course_target_edge_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.course_target
    ADD CONSTRAINT course_target_edge_id_fkey FOREIGN KEY (edge_id) REFERENCES public.edge(edge_id) ON DELETE RESTRICT;


--
-- Name: course_version course_version_course_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.course_version
    ADD CONSTRAINT course_version_course_id_fkey FOREIGN KEY (course_id) REFERENCES public.course(id) ON DELETE RESTRICT;


--
-- Name: edge_certificate edge_certificate_edge_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.edge_certificate
    ADD CONSTRAINT edge_certificate_edge_id_fkey FOREIGN KEY (edge_id) REFERENCES public.edge(edge_id) ON DELETE RESTRICT;


--
-- Name: edge_key edge_key_edge_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.edge_key
    ADD CONSTRAINT edge_key_edge_id_fkey FOREIGN KEY (edge_id) REFERENCES public.edge(edge_id) ON DELETE RESTRICT;


--
-- Name: record record_edge_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.record
    ADD CONSTRAINT record_edge_id_fkey FOREIGN KEY (edge_id) REFERENCES public.edge(edge_id) ON DELETE RESTRICT;


--
-- PostgreSQL database dump complete
--

\unrestrict TkqGBKstSKhaVf1j94MGYLsO0TezlaNp6LULnhDhNnNddRJaBegCTGToLxpHu59

