-- The schema landreg made at start-up before migrations (release 0.1, commit ab882f3), frozen;
-- every statement only creates what is missing, so it also completes a store made by that start-up.
CREATE TABLE IF NOT EXISTS landreg_events (
	id INTEGER NOT NULL, 
	originator_id BINARY(16) NOT NULL, 
	originator_version INTEGER NOT NULL, 
	topic TEXT NOT NULL, 
	state BLOB NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE IF NOT EXISTS landreg_snapshots (
	originator_id BINARY(16) NOT NULL, 
	originator_version INTEGER NOT NULL, 
	topic TEXT NOT NULL, 
	state BLOB NOT NULL, 
	PRIMARY KEY (originator_id, originator_version)
);
CREATE TABLE IF NOT EXISTS landreg_counters (
	scope VARCHAR(16) NOT NULL, 
	"key" VARCHAR(16) NOT NULL, 
	value INTEGER NOT NULL, 
	PRIMARY KEY (scope, "key")
);
CREATE TABLE IF NOT EXISTS landreg_commands (
	command_id VARCHAR(100) NOT NULL, 
	name VARCHAR(64) NOT NULL, 
	fingerprint VARCHAR(64) NOT NULL, 
	result TEXT NOT NULL, 
	recorded_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	PRIMARY KEY (command_id)
);
CREATE TABLE IF NOT EXISTS landreg_write_lock (
	id INTEGER NOT NULL, 
	counter INTEGER NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE IF NOT EXISTS landreg_footprints (nib TEXT PRIMARY KEY, village_code TEXT NOT NULL, wkb BLOB NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS landreg_footprints_rtree USING rtree(id, minx, maxx, miny, maxy);
CREATE TABLE IF NOT EXISTS landreg_seals (
	to_position BIGINT NOT NULL, 
	from_position BIGINT NOT NULL, 
	count INTEGER NOT NULL, 
	leaves TEXT NOT NULL, 
	root VARCHAR(64) NOT NULL, 
	previous_root VARCHAR(64) NOT NULL, 
	key_id VARCHAR(16) NOT NULL, 
	signature VARCHAR(128) NOT NULL, 
	recorded_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	PRIMARY KEY (to_position)
);
CREATE TABLE IF NOT EXISTS landreg_audit_keys (
	number INTEGER NOT NULL, 
	key_id VARCHAR(16) NOT NULL, 
	public_key VARCHAR(64) NOT NULL, 
	since BIGINT NOT NULL, 
	previous_key_id VARCHAR(16), 
	signature VARCHAR(128), 
	recorded_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	PRIMARY KEY (number), 
	UNIQUE (key_id)
);
CREATE TABLE IF NOT EXISTS landreg_projection_positions (
	name VARCHAR(32) NOT NULL, 
	position BIGINT NOT NULL, 
	PRIMARY KEY (name)
);
CREATE TABLE IF NOT EXISTS landreg_parcels (
	nib VARCHAR(13) NOT NULL, 
	parcel_id VARCHAR(36) NOT NULL, 
	village_code VARCHAR(8) NOT NULL, 
	status VARCHAR(10) NOT NULL, 
	area_m2 NUMERIC(16, 2) NOT NULL, 
	epsg INTEGER NOT NULL, 
	geometry VARCHAR NOT NULL, 
	wgs84 VARCHAR NOT NULL, 
	parents JSON NOT NULL, 
	children JSON NOT NULL, 
	certificate_number VARCHAR(14), 
	title_id VARCHAR(36), 
	title JSON, 
	version INTEGER NOT NULL, 
	updated_at VARCHAR(40) NOT NULL, 
	position BIGINT NOT NULL, 
	PRIMARY KEY (nib), 
	UNIQUE (parcel_id)
);
CREATE TABLE IF NOT EXISTS landreg_holdings (
	holder_id VARCHAR(64) NOT NULL, 
	nib VARCHAR(13) NOT NULL, 
	holder_name VARCHAR(200) NOT NULL, 
	holder_kind VARCHAR(32) NOT NULL, 
	share VARCHAR(40) NOT NULL, 
	certificate_number VARCHAR(14) NOT NULL, 
	right_type VARCHAR(8) NOT NULL, 
	PRIMARY KEY (holder_id, nib)
);
CREATE TABLE IF NOT EXISTS landreg_village_stats (
	village_code VARCHAR(8) NOT NULL, 
	right_type VARCHAR(8) NOT NULL, 
	parcels INTEGER NOT NULL, 
	area_m2 NUMERIC(20, 2) NOT NULL, 
	PRIMARY KEY (village_code, right_type)
);
CREATE TABLE IF NOT EXISTS landreg_certificates (
	certificate_number VARCHAR(14) NOT NULL, 
	title_id VARCHAR(36) NOT NULL, 
	nib VARCHAR(13) NOT NULL, 
	right_type VARCHAR(8) NOT NULL, 
	status VARCHAR(10) NOT NULL, 
	edition INTEGER NOT NULL, 
	title JSON NOT NULL, 
	version INTEGER NOT NULL, 
	updated_at VARCHAR(40) NOT NULL, 
	position BIGINT NOT NULL, 
	PRIMARY KEY (certificate_number), 
	UNIQUE (title_id)
);
CREATE TABLE IF NOT EXISTS landreg_announcements (
	aggregate_id VARCHAR(36) NOT NULL, 
	nib VARCHAR(13) NOT NULL, 
	announcement_id VARCHAR(24) NOT NULL, 
	village_code VARCHAR(8) NOT NULL, 
	kind VARCHAR(12) NOT NULL, 
	started_on VARCHAR(10) NOT NULL, 
	ends_on VARCHAR(10) NOT NULL, 
	right_type VARCHAR(8) NOT NULL, 
	claimant_names JSON NOT NULL, 
	status VARCHAR(10) NOT NULL, 
	objections JSON NOT NULL, 
	position BIGINT NOT NULL, 
	PRIMARY KEY (aggregate_id), 
	UNIQUE (nib)
);
CREATE TABLE IF NOT EXISTS landreg_complaints (
	aggregate_id VARCHAR(36) NOT NULL, 
	number VARCHAR(16) NOT NULL, 
	village_code VARCHAR(8), 
	nib VARCHAR(13), 
	category VARCHAR(12) NOT NULL, 
	status VARCHAR(10) NOT NULL, 
	filed_on VARCHAR(10) NOT NULL, 
	respond_by VARCHAR(10) NOT NULL, 
	closed_on VARCHAR(10), 
	assigned_to VARCHAR(100), 
	replies INTEGER NOT NULL, 
	position BIGINT NOT NULL, 
	PRIMARY KEY (aggregate_id), 
	UNIQUE (number)
);
CREATE TABLE IF NOT EXISTS landreg_tokens (
	id INTEGER NOT NULL, 
	name VARCHAR(64) NOT NULL, 
	role VARCHAR(16) NOT NULL, 
	token_sha256 VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	revoked_at DATETIME, 
	PRIMARY KEY (id), 
	UNIQUE (token_sha256)
);
CREATE UNIQUE INDEX IF NOT EXISTS landreg_events_aggregate_idx ON landreg_events (originator_id, originator_version);
CREATE INDEX IF NOT EXISTS ix_landreg_parcels_title_id ON landreg_parcels (title_id);
CREATE INDEX IF NOT EXISTS ix_landreg_parcels_certificate_number ON landreg_parcels (certificate_number);
CREATE INDEX IF NOT EXISTS ix_landreg_parcels_village_code ON landreg_parcels (village_code);
CREATE INDEX IF NOT EXISTS ix_landreg_holdings_nib ON landreg_holdings (nib);
CREATE INDEX IF NOT EXISTS ix_landreg_certificates_nib ON landreg_certificates (nib);
CREATE INDEX IF NOT EXISTS ix_landreg_announcements_village_code ON landreg_announcements (village_code);
CREATE INDEX IF NOT EXISTS ix_landreg_complaints_village_code ON landreg_complaints (village_code);
CREATE INDEX IF NOT EXISTS ix_landreg_complaints_nib ON landreg_complaints (nib);
INSERT OR IGNORE INTO landreg_write_lock (id, counter) VALUES (1, 0);
