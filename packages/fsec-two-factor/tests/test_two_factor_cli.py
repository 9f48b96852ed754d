"""``flask users tf-reset IDENTITY``."""

from __future__ import annotations


def test_tf_reset_removes_the_second_factor(app, tf):
    from fsec_two_factor.signals import tf_disabled

    disabled = []
    tf_disabled.connect(lambda sender, user: disabled.append(user.email), app, weak=False)
    tf.setup_authenticator(app.test_client())
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "tf-reset", "ALICE@example.com"])
    assert result.exit_code == 0, result.output
    assert "Two-factor (authenticator) removed from ALICE@example.com." in result.output
    assert disabled == ["alice@example.com"]
    user = tf.stored_user(app)
    assert user.tf_primary_method is None and user.tf_totp_secret is None
    r = tf.login(app.test_client())
    assert r.get_json()["response"]["user"]["authentication_token"]
    result = runner.invoke(args=["users", "tf-reset", "alice@example.com"])
    assert result.exit_code == 0 and "had no two-factor method" in result.output


def test_tf_reset_unknown_user_is_one_line_and_status_2(app):
    result = app.test_cli_runner().invoke(args=["users", "tf-reset", "nobody@example.com"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == ["Error: no user 'nobody@example.com'"]
