BEGIN TRANSACTION;
CREATE TABLE role (
	id INTEGER NOT NULL, 
	name VARCHAR(80) NOT NULL, 
	description VARCHAR(255), 
	permissions TEXT, 
	update_datetime DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (name)
);
INSERT INTO "role" VALUES(1,'admin',NULL,'read,write','2026-12-02 07:12:24');
CREATE TABLE roles_users (
	user_id INTEGER, 
	role_id INTEGER, 
	FOREIGN KEY(user_id) REFERENCES user (id), 
	FOREIGN KEY(role_id) REFERENCES role (id)
);
INSERT INTO "roles_users" VALUES(1,1);
CREATE TABLE user (
	fs_webauthn_user_handle VARCHAR(64), 
	mf_recovery_codes TEXT, 
	password VARCHAR(255), 
	us_phone_number VARCHAR(128), 
	username VARCHAR(255), 
	us_totp_secrets TEXT, 
	id INTEGER NOT NULL, 
	email VARCHAR(255) NOT NULL, 
	active BOOLEAN NOT NULL, 
	fs_uniquifier VARCHAR(64) NOT NULL, 
	confirmed_at DATETIME, 
	last_login_at DATETIME, 
	current_login_at DATETIME, 
	last_login_ip VARCHAR(64), 
	current_login_ip VARCHAR(64), 
	login_count INTEGER, 
	tf_primary_method VARCHAR(64), 
	tf_totp_secret VARCHAR(255), 
	tf_phone_number VARCHAR(128), 
	create_datetime DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	update_datetime DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (fs_webauthn_user_handle), 
	UNIQUE (us_phone_number), 
	UNIQUE (username), 
	UNIQUE (email), 
	UNIQUE (fs_uniquifier)
);
INSERT INTO "user" VALUES('9978ee3c49454e22b69b7bdffc00a2a7',NULL,'$2b$12$ixBY3SojpC208N/TcZTp8OungswgiEH5Q/AvwT52K70qBCtDGn66G',NULL,'ann-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',NULL,1,'ann@example.com',1,'1c75fb29a3c1447a894895a396fdcfc2',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,'2026-12-02 07:12:24','2026-12-02 07:12:24');
CREATE TABLE web_authn (
	id INTEGER NOT NULL, 
	credential_id BLOB NOT NULL, 
	public_key BLOB NOT NULL, 
	sign_count INTEGER, 
	transports TEXT, 
	backup_state BOOLEAN NOT NULL, 
	device_type VARCHAR(64) NOT NULL, 
	extensions VARCHAR(255), 
	create_datetime DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	lastuse_datetime DATETIME NOT NULL, 
	name VARCHAR(64) NOT NULL, 
	usage VARCHAR(64) NOT NULL, 
	user_id INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(user_id) REFERENCES user (id) ON DELETE CASCADE
);
INSERT INTO "web_authn" VALUES(1,X'030CE3B5CF154FEBF0FF2626D4C580C9FCE3602B97CBD54190D47CAF39C4714D',X'A50102032620012158200D8001BDA91C50D305B36A7D67E76E66912BEF15A01A3EAB9672A15E7AC8B48C2258201919EE98222A06412D4A049D94B4565B2AA8C4B48A68F5B99687A9D8BCC91575',1,'internal,hybrid',0,'single_device',NULL,'2026-12-02 07:12:24','2026-12-02 07:12:24.602667','laptop','first',1);
CREATE UNIQUE INDEX ix_web_authn_credential_id ON web_authn (credential_id);
COMMIT;
