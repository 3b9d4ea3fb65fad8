-- The schema landreg made at start-up before migrations (release 0.1, commit ab882f3), frozen.
-- Every statement only creates what is missing, so this also completes a store made by an older
-- start-up. The extensions are created by the revision itself (registry/persistence/schema.py says
-- what rights that needs).
CREATE TABLE IF NOT EXISTS landreg_events (
    id bigserial PRIMARY KEY,
    originator_id uuid NOT NULL,
    originator_version bigint NOT NULL,
    topic text NOT NULL,
    state bytea NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS landreg_events_aggregate_idx ON landreg_events (originator_id, originator_version);
CREATE INDEX IF NOT EXISTS landreg_events_topic_idx ON landreg_events (topic);
CREATE TABLE IF NOT EXISTS landreg_snapshots (
    originator_id uuid NOT NULL,
    originator_version bigint NOT NULL,
    topic text NOT NULL,
    state bytea NOT NULL,
    PRIMARY KEY (originator_id, originator_version)
);
CREATE TABLE IF NOT EXISTS landreg_counters (
    scope varchar(16) NOT NULL,
    key varchar(16) NOT NULL,
    value integer NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE TABLE IF NOT EXISTS landreg_commands (
    command_id varchar(100) PRIMARY KEY,
    name varchar(64) NOT NULL,
    fingerprint varchar(64) NOT NULL,
    result text NOT NULL,
    recorded_at timestamp with time zone DEFAULT now() NOT NULL
);
CREATE TABLE IF NOT EXISTS landreg_write_lock (
    id serial PRIMARY KEY,
    counter integer NOT NULL
);
CREATE TABLE IF NOT EXISTS landreg_footprints (
    nib varchar(13) PRIMARY KEY,
    village_code varchar(8) NOT NULL,
    geom geometry(Geometry, 4326) NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_landreg_footprints_geom ON landreg_footprints USING gist (geom);
CREATE INDEX IF NOT EXISTS ix_landreg_footprints_village_code ON landreg_footprints (village_code);
CREATE INDEX IF NOT EXISTS landreg_footprints_multi ON landreg_footprints
    USING gist ((ST_Multi(geom)::geometry(MultiPolygon, 4326)));
CREATE TABLE IF NOT EXISTS landreg_seals (
    to_position bigint PRIMARY KEY,
    from_position bigint NOT NULL,
    count integer NOT NULL,
    leaves text NOT NULL,
    root varchar(64) NOT NULL,
    previous_root varchar(64) NOT NULL,
    key_id varchar(16) NOT NULL,
    signature varchar(128) NOT NULL,
    recorded_at timestamp with time zone DEFAULT now() NOT NULL
);
CREATE TABLE IF NOT EXISTS landreg_audit_keys (
    number serial PRIMARY KEY,
    key_id varchar(16) NOT NULL UNIQUE,
    public_key varchar(64) NOT NULL,
    since bigint NOT NULL,
    previous_key_id varchar(16),
    signature varchar(128),
    recorded_at timestamp with time zone DEFAULT now() NOT NULL
);
CREATE TABLE IF NOT EXISTS landreg_tokens (
    id serial PRIMARY KEY,
    name varchar(64) NOT NULL,
    role varchar(16) NOT NULL,
    token_sha256 varchar(64) NOT NULL UNIQUE,
    created_at timestamp with time zone NOT NULL,
    revoked_at timestamp with time zone
);
CREATE TABLE IF NOT EXISTS landreg_projection_positions (
    name varchar(32) PRIMARY KEY,
    position bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS landreg_parcels (
    nib varchar(13) PRIMARY KEY,
    parcel_id varchar(36) NOT NULL UNIQUE,
    village_code varchar(8) NOT NULL,
    status varchar(10) NOT NULL,
    area_m2 numeric(16, 2) NOT NULL,
    epsg integer NOT NULL,
    geometry varchar NOT NULL,
    wgs84 varchar NOT NULL,
    parents json NOT NULL,
    children json NOT NULL,
    certificate_number varchar(14),
    title_id varchar(36),
    title json,
    version integer NOT NULL,
    updated_at varchar(40) NOT NULL,
    position bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_landreg_parcels_title_id ON landreg_parcels (title_id);
CREATE INDEX IF NOT EXISTS ix_landreg_parcels_certificate_number ON landreg_parcels (certificate_number);
CREATE INDEX IF NOT EXISTS ix_landreg_parcels_village_code ON landreg_parcels (village_code);
CREATE TABLE IF NOT EXISTS landreg_holdings (
    holder_id varchar(64) NOT NULL,
    nib varchar(13) NOT NULL,
    holder_name varchar(200) NOT NULL,
    holder_kind varchar(32) NOT NULL,
    share varchar(40) NOT NULL,
    certificate_number varchar(14) NOT NULL,
    right_type varchar(8) NOT NULL,
    PRIMARY KEY (holder_id, nib)
);
-- Tables made when holder kinds were shorter: widening a varchar rewrites nothing.
ALTER TABLE landreg_holdings ALTER COLUMN holder_kind TYPE varchar(32);
CREATE INDEX IF NOT EXISTS ix_landreg_holdings_nib ON landreg_holdings (nib);
CREATE INDEX IF NOT EXISTS landreg_holdings_name_trgm ON landreg_holdings USING gin (lower(holder_name) gin_trgm_ops);
CREATE TABLE IF NOT EXISTS landreg_village_stats (
    village_code varchar(8) NOT NULL,
    right_type varchar(8) NOT NULL,
    parcels integer NOT NULL,
    area_m2 numeric(20, 2) NOT NULL,
    PRIMARY KEY (village_code, right_type)
);
CREATE TABLE IF NOT EXISTS landreg_certificates (
    certificate_number varchar(14) PRIMARY KEY,
    title_id varchar(36) NOT NULL UNIQUE,
    nib varchar(13) NOT NULL,
    right_type varchar(8) NOT NULL,
    status varchar(10) NOT NULL,
    edition integer NOT NULL,
    title json NOT NULL,
    version integer NOT NULL,
    updated_at varchar(40) NOT NULL,
    position bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_landreg_certificates_nib ON landreg_certificates (nib);
CREATE TABLE IF NOT EXISTS landreg_announcements (
    aggregate_id varchar(36) PRIMARY KEY,
    nib varchar(13) NOT NULL UNIQUE,
    announcement_id varchar(24) NOT NULL,
    village_code varchar(8) NOT NULL,
    kind varchar(12) NOT NULL,
    started_on varchar(10) NOT NULL,
    ends_on varchar(10) NOT NULL,
    right_type varchar(8) NOT NULL,
    claimant_names json NOT NULL,
    status varchar(10) NOT NULL,
    objections json NOT NULL,
    position bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_landreg_announcements_village_code ON landreg_announcements (village_code);
CREATE TABLE IF NOT EXISTS landreg_complaints (
    aggregate_id varchar(36) PRIMARY KEY,
    number varchar(16) NOT NULL UNIQUE,
    village_code varchar(8),
    nib varchar(13),
    category varchar(12) NOT NULL,
    status varchar(10) NOT NULL,
    filed_on varchar(10) NOT NULL,
    respond_by varchar(10) NOT NULL,
    closed_on varchar(10),
    assigned_to varchar(100),
    replies integer NOT NULL,
    position bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_landreg_complaints_village_code ON landreg_complaints (village_code);
CREATE INDEX IF NOT EXISTS ix_landreg_complaints_nib ON landreg_complaints (nib);
-- The active parcels as a view a GIS opens (docs/gis.md); made only where missing, so a view a
-- user rebuilt on it is left alone.
DO $$ BEGIN
IF to_regclass('landreg_gis_parcels') IS NULL THEN
CREATE VIEW landreg_gis_parcels AS
SELECT p.nib, p.village_code, p.area_m2::double precision AS area_m2, p.status,
       CASE WHEN p.title IS NOT NULL AND p.title->>'status' = 'active' THEN p.title->>'right_type' END AS right_type,
       CASE WHEN p.title IS NOT NULL AND p.title->>'status' = 'active' THEN p.title->>'certificate_number' END AS certificate_number,
       CASE WHEN p.title IS NOT NULL AND p.title->>'status' = 'active' THEN (p.title->>'edition')::integer END AS edition,
       CASE WHEN p.title IS NOT NULL AND p.title->>'status' = 'active' THEN
            (SELECT string_agg((h.value->>'name') || ' (' || (h.value->>'share') || ')', '; ' ORDER BY h.ordinality)
             FROM json_array_elements(p.title->'holders') WITH ORDINALITY AS h(value, ordinality))
       END AS holders,
       (p.title IS NOT NULL AND p.title->>'status' = 'active' AND EXISTS (
            SELECT 1 FROM json_each(p.title->'mortgages') AS item WHERE item.value->>'status' = 'active')) AS has_mortgage,
       (p.title IS NOT NULL AND p.title->>'status' = 'active' AND EXISTS (
            SELECT 1 FROM json_each(p.title->'blocks') AS item WHERE item.value->>'status' = 'active')) AS is_blocked,
       ST_Multi(f.geom)::geometry(MultiPolygon, 4326) AS geom
FROM landreg_parcels p JOIN landreg_footprints f ON f.nib = p.nib
WHERE p.status = 'active';
END IF;
END $$;
