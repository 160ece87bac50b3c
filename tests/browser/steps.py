"""What every browser journey does first: open the login page (the one address typed: everything
after it is reached by clicking) and log in with the login form's own button."""
from tests.factories import PASSWORD


def log_in(page, live_server, username, password=PASSWORD):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.wait_for_load_state()
