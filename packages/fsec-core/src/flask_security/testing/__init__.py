"""Testing tools shipped with fsec-core, for fsec's own packages and third-party
plugin and store authors alike.

* :mod:`.postgres`: a throwaway PostgreSQL cluster (``initdb`` + ``pg_ctl``).
* :mod:`.smtp`: a real SMTP server (aiosmtpd) on a free local port.
* :mod:`.live`: gunicorn serving an fsec app on a free port (several worker
  processes), its log and mails; every name of the two modules below is importable
  from it. :mod:`.live_wsgi` is what the workers load.
* :mod:`.live_http`: an HTTP client and :func:`.live.race` (barrier-released
  concurrent requests).
* :mod:`.live_process`: a server run as a command of its own (the demo), for browser
  tests.
* :mod:`.fixtures`: the pytest plugin (loaded through the ``pytest11`` entry point)
  with the ``fsec_postgres``, ``fsec_smtp`` and ``fsec_live`` fixtures.
* :mod:`.contracts`: ``FeatureContract``, the contract a feature's tests subclass,
  combining the suites of :mod:`.feature_contributions_contract` (discovery and
  contributions) and :mod:`.feature_behaviour_contract` over
  :mod:`.feature_suite_base`.
* :mod:`.datastore_contract`, :mod:`.datastore_views_contract` and
  :mod:`.store_package_contract`: the three contract suites every store runs
  (``DatastoreContract``, ``DatastoreViewsContract``, ``StorePackageContract``; all
  three importable from ``datastore_contract``), over :mod:`.store_contract_base`.
  ``DatastoreContract`` combines the suites of the ``datastore_*_contract`` modules
  over :mod:`.datastore_suite_base`; ``DatastoreViewsContract`` those of
  :mod:`.datastore_views_login_contract` and :mod:`.datastore_views_account_contract`
  over :mod:`.datastore_views_suite_base`.
* :mod:`.contract_report`: the terminal summary line per contract, store and database.
"""
