--
-- PostgreSQL database dump
--

\restrict oqwcNZ4qPPUHpgRdF4x8Z9hVqbZFvPH4pa2qufwvoVBIodx4ICuchH5Qg7zKIau

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
-- Name: edge; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.edge (
    edge_id character varying(64) NOT NULL,
    verify_key_pem text NOT NULL,
    status character varying(16) NOT NULL,
    registered_at character varying(40) NOT NULL,
    revoked_at character varying(40),
    CONSTRAINT edge_status_check CHECK (((status)::text = ANY ((ARRAY['active'::character varying, 'revoked'::character varying])::text[])))
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
-- Name: batch id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.batch ALTER COLUMN id SET DEFAULT nextval('public.batch_id_seq'::regclass);


--
-- Name: record arrival; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.record ALTER COLUMN arrival SET DEFAULT nextval('public.record_arrival_seq'::regclass);


--
-- Data for Name: batch; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.batch VALUES (1, '7d947466-72fc-45e7-bb16-cec1213f0c2e', 'edge-north', 1, 'fa61fdb942106db9ac9536ef2493c34a0844e46de60b8131fb7da378d2345bff', 4, 4, '{"receipt": {"batch": "7d947466-72fc-45e7-bb16-cec1213f0c2e", "edge": "edge-north", "digest": "fa61fdb942106db9ac9536ef2493c34a0844e46de60b8131fb7da378d2345bff", "count": 4, "stored": 4, "duplicates": 0, "received": "2026-12-07T11:01:39.157Z"}, "signature": "wemuGFfn0vSy+pP9GiGlZmRI16I3d/iqmJTQt6WqEvjHUOgFqjV0g8JQ9hUyVmEoUYRWuaGhaw59X6lV6k/FAg=="}', '2026-12-07T11:01:39.157Z');
INSERT INTO public.batch VALUES (2, '2f610f4b-41e8-4da2-8856-5b57f80418c8', 'edge-north', 2, 'e59259a43065d2f73b598eb292781f5d3dfbd111703337c9ab5ccb9d4e7ebed4', 4, 4, '{"receipt": {"batch": "2f610f4b-41e8-4da2-8856-5b57f80418c8", "edge": "edge-north", "digest": "e59259a43065d2f73b598eb292781f5d3dfbd111703337c9ab5ccb9d4e7ebed4", "count": 4, "stored": 4, "duplicates": 0, "received": "2026-12-07T11:01:39.201Z"}, "signature": "xdfPtwtBJ4T0WC5c0Zae3U9B3+RJiw/V0a6V8H3oFk/QSD7snTloRPQ2uptedNtyo8SqE+gxYiLNc7QM+KM2BQ=="}', '2026-12-07T11:01:39.201Z');
INSERT INTO public.batch VALUES (3, '2477e4d3-78a2-4d99-bbfb-788d5eaf652a', 'HMP_Oldbury.1', 1, '6f3b9e28c508e72d2783a37b8c150554419c61d47eb619a998fde52db0a19739', 4, 4, '{"receipt": {"batch": "2477e4d3-78a2-4d99-bbfb-788d5eaf652a", "edge": "HMP_Oldbury.1", "digest": "6f3b9e28c508e72d2783a37b8c150554419c61d47eb619a998fde52db0a19739", "count": 4, "stored": 4, "duplicates": 0, "received": "2026-12-07T11:01:39.239Z"}, "signature": "pA+uUnwaoMB4pNYWfLhlgQeb9WGtXdE+lEEvU4Cafd4mUtq7baeCkLcUzuvz6c/K55Q8VC2UhLXiEVIG8xDaDw=="}', '2026-12-07T11:01:39.239Z');
INSERT INTO public.batch VALUES (4, 'b1d8bff5-9553-4853-81f4-1d42ab763eb3', 'HMP_Oldbury.1', 2, 'd0d26eb9ced1e94794b3b492a04b63972587eb6629bd1bf9475d2b74f5bc7efe', 4, 4, '{"receipt": {"batch": "b1d8bff5-9553-4853-81f4-1d42ab763eb3", "edge": "HMP_Oldbury.1", "digest": "d0d26eb9ced1e94794b3b492a04b63972587eb6629bd1bf9475d2b74f5bc7efe", "count": 4, "stored": 4, "duplicates": 0, "received": "2026-12-07T11:01:39.266Z"}, "signature": "lBXuC7mLhFPwixt90DLiQaVCG8XPxA/fgEi+DNYm6qpgB9i5JpfWSCGS0CjDL0IAzt5dMUZAFwulcgeGnLkHBA=="}', '2026-12-07T11:01:39.266Z');
INSERT INTO public.batch VALUES (5, '2c90df2c-cf7b-466c-955b-756ac0d07654', 'edge-south', 1, '7326949ec4fc7b09531a4fd3bc9d21070a0e01e925926ac0da205c56d8184adf', 4, 4, '{"receipt": {"batch": "2c90df2c-cf7b-466c-955b-756ac0d07654", "edge": "edge-south", "digest": "7326949ec4fc7b09531a4fd3bc9d21070a0e01e925926ac0da205c56d8184adf", "count": 4, "stored": 4, "duplicates": 0, "received": "2026-12-07T11:01:39.309Z"}, "signature": "Tf5VxIa9ag4pIoqMXWSJ2Pb/yMLDxC77rD+vqB9a7Gvcp4PCteAVgdsBbEmwIUpFl1idNfvmPGgE+9Y0X1PZCA=="}', '2026-12-07T11:01:39.309Z');
INSERT INTO public.batch VALUES (6, '08d60320-ffcd-4de7-8710-f733d925fcc0', 'edge-south', 2, 'c9416b39160953cf1e8c27699ce5f3c17040f32c3d50661d18e22bb39e3de480', 4, 4, '{"receipt": {"batch": "08d60320-ffcd-4de7-8710-f733d925fcc0", "edge": "edge-south", "digest": "c9416b39160953cf1e8c27699ce5f3c17040f32c3d50661d18e22bb39e3de480", "count": 4, "stored": 4, "duplicates": 0, "received": "2026-12-07T11:01:39.341Z"}, "signature": "15Pd1PlN2olCz+pqWOMfboHCrjCYo8M9oY/25QIQsQArOkKZBNU+YlBf/3F13GlyO/wBhIJiIhBerNsNpHOBDw=="}', '2026-12-07T11:01:39.341Z');


--
-- Data for Name: edge; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.edge VALUES ('edge-north', '-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEArHVWwJbwSXs2jaeZwMLWEE/DmZcbHa5kXLul3r/XrUA=
-----END PUBLIC KEY-----
', 'active', '2026-12-07T11:01:39.090Z', NULL);
INSERT INTO public.edge VALUES ('HMP_Oldbury.1', '-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAeyYgGtacj33yPzAnfkhQGbEp4clUcXLOG/Wj+vlEJ6M=
-----END PUBLIC KEY-----
', 'active', '2026-12-07T11:01:39.105Z', NULL);
INSERT INTO public.edge VALUES ('edge-south', '-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAJtNlSC7UBOW4ctqxQ9JALPC0rgY8Ag+9jxYQciqL7n4=
-----END PUBLIC KEY-----
', 'revoked', '2026-12-07T11:01:39.115Z', '2026-12-07T11:01:39.357Z');


--
-- Data for Name: record; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.record VALUES (1, 'ed7593b1-4437-4554-b952-52296b1c97c4', 'edge-north', 'tablet-0-0', 'L-0040', 'progress_statement', 1, '2026-12-07T11:01:39.133Z', '2026-12-07T11:01:39.133Z', '2026-12-07T11:01:39.157Z', '7d947466-72fc-45e7-bb16-cec1213f0c2e', '{"text":"entry 0"}');
INSERT INTO public.record VALUES (2, '3231e5b2-b2d7-4851-acd7-090d1710eb3e', 'edge-north', 'tablet-0-0', 'L-0040', 'progress_statement', 2, '2026-12-07T11:01:39.133Z', '2026-12-07T11:01:39.133Z', '2026-12-07T11:01:39.157Z', '7d947466-72fc-45e7-bb16-cec1213f0c2e', '{"text":"entry 1"}');
INSERT INTO public.record VALUES (3, '9d10d974-c2c0-43a5-9688-69042d80e4cb', 'edge-north', 'tablet-0-0', 'L-0040', 'progress_statement', 3, '2026-12-07T11:01:39.133Z', '2026-12-07T11:01:39.133Z', '2026-12-07T11:01:39.157Z', '7d947466-72fc-45e7-bb16-cec1213f0c2e', '{"text":"entry 2"}');
INSERT INTO public.record VALUES (4, '8ac19339-f37d-4b7a-a97e-4c0acf8bfe93', 'edge-north', 'tablet-0-0', 'L-0040', 'message', 4, '2026-12-07T11:01:39.133Z', '2026-12-07T11:01:39.133Z', '2026-12-07T11:01:39.157Z', '7d947466-72fc-45e7-bb16-cec1213f0c2e', '{"text":"entry 0"}');
INSERT INTO public.record VALUES (5, 'bb7af192-fe51-4de3-8b10-b16c5d90c6b3', 'edge-north', 'tablet-0-1', 'L-0040', 'progress_statement', 1, '2026-12-07T11:01:39.173Z', '2026-12-07T11:01:39.173Z', '2026-12-07T11:01:39.201Z', '2f610f4b-41e8-4da2-8856-5b57f80418c8', '{"text":"entry 0"}');
INSERT INTO public.record VALUES (6, '751b814a-ded0-46ae-a471-0e5ee05fb3bc', 'edge-north', 'tablet-0-1', 'L-0040', 'progress_statement', 2, '2026-12-07T11:01:39.173Z', '2026-12-07T11:01:39.173Z', '2026-12-07T11:01:39.201Z', '2f610f4b-41e8-4da2-8856-5b57f80418c8', '{"text":"entry 1"}');
INSERT INTO public.record VALUES (7, 'ffa1bdda-ba99-4ad7-916d-f989aca15734', 'edge-north', 'tablet-0-1', 'L-0040', 'progress_statement', 3, '2026-12-07T11:01:39.173Z', '2026-12-07T11:01:39.173Z', '2026-12-07T11:01:39.201Z', '2f610f4b-41e8-4da2-8856-5b57f80418c8', '{"text":"entry 2"}');
INSERT INTO public.record VALUES (8, '8e13a7de-1e49-420d-85ba-9600cfc1aad0', 'edge-north', 'tablet-0-1', 'L-0040', 'message', 4, '2026-12-07T11:01:39.173Z', '2026-12-07T11:01:39.173Z', '2026-12-07T11:01:39.201Z', '2f610f4b-41e8-4da2-8856-5b57f80418c8', '{"text":"entry 0"}');
INSERT INTO public.record VALUES (9, '6fa494c0-cbf2-462a-a42f-46474bd3a3f9', 'HMP_Oldbury.1', 'tablet-1-0', 'L-0041', 'progress_statement', 1, '2026-12-07T11:01:39.225Z', '2026-12-07T11:01:39.225Z', '2026-12-07T11:01:39.239Z', '2477e4d3-78a2-4d99-bbfb-788d5eaf652a', '{"text":"entry 0"}');
INSERT INTO public.record VALUES (10, '8476cb86-9a38-4120-94d0-bb76f841522a', 'HMP_Oldbury.1', 'tablet-1-0', 'L-0041', 'progress_statement', 2, '2026-12-07T11:01:39.225Z', '2026-12-07T11:01:39.225Z', '2026-12-07T11:01:39.239Z', '2477e4d3-78a2-4d99-bbfb-788d5eaf652a', '{"text":"entry 1"}');
INSERT INTO public.record VALUES (11, '2ecfbac7-c02b-4872-a878-81b879cb480d', 'HMP_Oldbury.1', 'tablet-1-0', 'L-0041', 'progress_statement', 3, '2026-12-07T11:01:39.225Z', '2026-12-07T11:01:39.225Z', '2026-12-07T11:01:39.239Z', '2477e4d3-78a2-4d99-bbfb-788d5eaf652a', '{"text":"entry 2"}');
INSERT INTO public.record VALUES (12, '1ddb097d-face-4fac-9077-00cc1b8968cf', 'HMP_Oldbury.1', 'tablet-1-0', 'L-0041', 'message', 4, '2026-12-07T11:01:39.225Z', '2026-12-07T11:01:39.225Z', '2026-12-07T11:01:39.239Z', '2477e4d3-78a2-4d99-bbfb-788d5eaf652a', '{"text":"entry 0"}');
INSERT INTO public.record VALUES (13, '28cf2212-8bfa-42a9-9e3f-122f5e42bbbe', 'HMP_Oldbury.1', 'tablet-1-1', 'L-0041', 'progress_statement', 1, '2026-12-07T11:01:39.253Z', '2026-12-07T11:01:39.253Z', '2026-12-07T11:01:39.266Z', 'b1d8bff5-9553-4853-81f4-1d42ab763eb3', '{"text":"entry 0"}');
INSERT INTO public.record VALUES (14, 'b9167738-0d86-420c-9088-35b0cfc4d587', 'HMP_Oldbury.1', 'tablet-1-1', 'L-0041', 'progress_statement', 2, '2026-12-07T11:01:39.253Z', '2026-12-07T11:01:39.253Z', '2026-12-07T11:01:39.266Z', 'b1d8bff5-9553-4853-81f4-1d42ab763eb3', '{"text":"entry 1"}');
INSERT INTO public.record VALUES (15, 'd9a8fa16-f0aa-47df-9389-459b7a8fb29d', 'HMP_Oldbury.1', 'tablet-1-1', 'L-0041', 'progress_statement', 3, '2026-12-07T11:01:39.253Z', '2026-12-07T11:01:39.253Z', '2026-12-07T11:01:39.266Z', 'b1d8bff5-9553-4853-81f4-1d42ab763eb3', '{"text":"entry 2"}');
INSERT INTO public.record VALUES (16, '591612a6-c441-4a78-ac23-804f57a5cea7', 'HMP_Oldbury.1', 'tablet-1-1', 'L-0041', 'message', 4, '2026-12-07T11:01:39.253Z', '2026-12-07T11:01:39.253Z', '2026-12-07T11:01:39.266Z', 'b1d8bff5-9553-4853-81f4-1d42ab763eb3', '{"text":"entry 0"}');
INSERT INTO public.record VALUES (17, 'f043c9b3-4f21-49f3-948f-92e94843d5da', 'edge-south', 'tablet-2-0', 'L-0042', 'progress_statement', 1, '2026-12-07T11:01:39.292Z', '2026-12-07T11:01:39.292Z', '2026-12-07T11:01:39.309Z', '2c90df2c-cf7b-466c-955b-756ac0d07654', '{"text":"entry 0"}');
INSERT INTO public.record VALUES (18, '1c938177-4683-4c24-8fee-5623883af1d2', 'edge-south', 'tablet-2-0', 'L-0042', 'progress_statement', 2, '2026-12-07T11:01:39.292Z', '2026-12-07T11:01:39.292Z', '2026-12-07T11:01:39.309Z', '2c90df2c-cf7b-466c-955b-756ac0d07654', '{"text":"entry 1"}');
INSERT INTO public.record VALUES (19, 'f1e8f0c7-7b22-4411-b2e8-9df6863f5c96', 'edge-south', 'tablet-2-0', 'L-0042', 'progress_statement', 3, '2026-12-07T11:01:39.292Z', '2026-12-07T11:01:39.292Z', '2026-12-07T11:01:39.309Z', '2c90df2c-cf7b-466c-955b-756ac0d07654', '{"text":"entry 2"}');
INSERT INTO public.record VALUES (20, '37186003-8639-48c6-96af-3720a801afda', 'edge-south', 'tablet-2-0', 'L-0042', 'message', 4, '2026-12-07T11:01:39.292Z', '2026-12-07T11:01:39.292Z', '2026-12-07T11:01:39.309Z', '2c90df2c-cf7b-466c-955b-756ac0d07654', '{"text":"entry 0"}');
INSERT INTO public.record VALUES (21, 'ced864a6-cb2b-4ecf-90f8-37e70f55e199', 'edge-south', 'tablet-2-1', 'L-0042', 'progress_statement', 1, '2026-12-07T11:01:39.327Z', '2026-12-07T11:01:39.327Z', '2026-12-07T11:01:39.341Z', '08d60320-ffcd-4de7-8710-f733d925fcc0', '{"text":"entry 0"}');
INSERT INTO public.record VALUES (22, '9e0b5cf6-36db-4a97-9862-d85e72beab6d', 'edge-south', 'tablet-2-1', 'L-0042', 'progress_statement', 2, '2026-12-07T11:01:39.327Z', '2026-12-07T11:01:39.327Z', '2026-12-07T11:01:39.341Z', '08d60320-ffcd-4de7-8710-f733d925fcc0', '{"text":"entry 1"}');
INSERT INTO public.record VALUES (23, 'ed7a082f-ccd1-4f5b-9acd-fc13172d05d5', 'edge-south', 'tablet-2-1', 'L-0042', 'progress_statement', 3, '2026-12-07T11:01:39.327Z', '2026-12-07T11:01:39.327Z', '2026-12-07T11:01:39.341Z', '08d60320-ffcd-4de7-8710-f733d925fcc0', '{"text":"entry 2"}');
INSERT INTO public.record VALUES (24, '4ec60803-26c5-4fc7-a225-0f930497ac05', 'edge-south', 'tablet-2-1', 'L-0042', 'message', 4, '2026-12-07T11:01:39.327Z', '2026-12-07T11:01:39.327Z', '2026-12-07T11:01:39.341Z', '08d60320-ffcd-4de7-8710-f733d925fcc0', '{"text":"entry 0"}');


--
-- Name: batch_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.batch_id_seq', 6, true);


--
-- Name: record_arrival_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.record_arrival_seq', 24, true);


--
-- Name: batch batch_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.batch
    ADD CONSTRAINT batch_pkey PRIMARY KEY (id);


--
-- Name: edge edge_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.edge
    ADD CONSTRAINT edge_pkey PRIMARY KEY (edge_id);


--
-- Name: record record_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.record
    ADD CONSTRAINT record_pkey PRIMARY KEY (arrival);


--
-- Name: batch_batch_id; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX batch_batch_id ON public.batch USING btree (batch_id);


--
-- Name: batch_edge_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX batch_edge_id ON public.batch USING btree (edge_id);


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
-- Name: record record_edge_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.record
    ADD CONSTRAINT record_edge_id_fkey FOREIGN KEY (edge_id) REFERENCES public.edge(edge_id) ON DELETE RESTRICT;


--
-- PostgreSQL database dump complete
--

\unrestrict oqwcNZ4qPPUHpgRdF4x8Z9hVqbZFvPH4pa2qufwvoVBIodx4ICuchH5Qg7zKIau

