"""A Flask-Security 5.x application with passkeys, written from upstream 5.x's
documentation only (its quickstart with the packaged ``fsqla_v3`` models, plus
``SECURITY_WEBAUTHN`` and the WebAuthn model its models page asks for). It runs on
fsec with its requirements changed (``requirements.txt``) and one setting fsec needs
that 5.x does not: the host passkeys are bound to (``SERVER_NAME`` here).

Run it with ``flask --app app run`` (or ``python app.py``) and open
http://localhost:5000/wan-register after signing in at /login as
``test@me.com`` / ``password``. ``DATABASE_URL`` picks the database (default: SQLite
in memory), ``SERVER_NAME`` the host (default ``localhost:5000``).
"""

import os

from flask import Flask, render_template_string
from flask_security import Security, SQLAlchemyUserDatastore, auth_required, hash_password
from flask_security.models import fsqla_v3 as fsqla
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)

# Generate a good key with secrets.token_urlsafe() and a salt with
# secrets.SystemRandom().getrandbits(128); keep both out of the code.
app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY", "6nR1q0wTj0dYbq2m8lR6u1KQ3a5QGm2V")
app.config["SECURITY_PASSWORD_SALT"] = os.environ.get(
    "SECURITY_PASSWORD_SALT", "229134585061470112390281437756319540155"
)

# Same-site session and remember cookies (Flask, Flask-Login).
app.config["REMEMBER_COOKIE_SAMESITE"] = "strict"
app.config["SESSION_COOKIE_SAMESITE"] = "strict"

app.config["SQLALCHEMY_DATABASE_URI"] = os.environ.get("DATABASE_URL", "sqlite://")
app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True}
app.config["SQLALCHEMY_TRACK_MODIFICATIONS"] = False

# Self-registration, without a welcome mail.
app.config["SECURITY_REGISTERABLE"] = True
app.config["SECURITY_SEND_REGISTER_EMAIL"] = False

# Passkeys (WebAuthn).
app.config["SECURITY_WEBAUTHN"] = True
app.config["SECURITY_WAN_RP_NAME"] = "Passkey example"
# The host the site is reached at; passkeys are bound to it (fsec asks for it).
app.config["SERVER_NAME"] = os.environ.get("SERVER_NAME", "localhost:5000")

db = SQLAlchemy(app)

# Define models: the packaged ones, glued to this db first.
fsqla.FsModels.set_db_info(db)


class Role(db.Model, fsqla.FsRoleMixin):
    pass


class User(db.Model, fsqla.FsUserMixin):
    pass


class WebAuthn(db.Model, fsqla.FsWebAuthnMixin):
    pass


# Setup Flask-Security
user_datastore = SQLAlchemyUserDatastore(db, User, Role, WebAuthn)
security = Security(app, user_datastore)


@app.route("/")
@auth_required()
def home():
    return render_template_string("Hello {{ current_user.email }}")


# One-time setup: the tables and a user to try things with.
with app.app_context():
    db.create_all()
    if not security.datastore.find_user(email="test@me.com"):
        security.datastore.create_user(email="test@me.com", password=hash_password("password"))
    db.session.commit()

if __name__ == "__main__":
    app.run()
