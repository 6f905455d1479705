"""kubegame web in a real headless Chromium (the OS's chromium and chromedriver, driven by
Selenium): the page, the first level played and won with keys, the mouse, the editor and a
resize, real kubectl pointed at a tab's cluster, and two tabs that never share a game.

What the player sees is read from the page's xterm.js buffer (window.kubegame.screen(), see
kubegame/web/page/kubegame.js); screenshots land in test-artifacts/web/ (KUBEGAME_ARTIFACTS
moves them). `make test` installs chromium and chromium-driver where apt-get can; where neither
is found this module is skipped, saying so."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
KUBECTL = Path(sys.executable).with_name("kubectl")
ARTIFACTS = Path(os.environ.get("KUBEGAME_ARTIFACTS", ROOT / "test-artifacts")) / "web"

pytestmark = pytest.mark.skipif(CHROMIUM is None or CHROMEDRIVER is None,
                                reason="no chromium and chromedriver on this machine (make test installs "
                                       "Debian's chromium and chromium-driver where apt-get works)")


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    """`kubegame web --port 0` in its own process, as a user starts it."""
    home = tmp_path_factory.mktemp("web-home")
    env = dict(os.environ, KUBEGAME_HOME=str(home))
    proc = subprocess.Popen([sys.executable, "-m", "kubegame", "web", "--port", "0"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = proc.stdout.readline()
    m = re.search(r"open (http://127\.0\.0\.1:\d+/) in a browser", line)
    if m is None:
        proc.kill()
        raise AssertionError(f"kubegame web did not start: {line}{proc.stdout.read()}")
    yield m.group(1), home
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    assert "kubegame web: stopped" in out
    assert not list((home / "web" / "sessions").iterdir())    # every tab's folder went with its game


class Tab:
    """One browser (its own profile, so its own cookies) with the game page open."""

    def __init__(self, url: str, profile: Path, size: tuple[int, int] = (1400, 900)) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        opts = webdriver.ChromeOptions()
        opts.binary_location = CHROMIUM
        self.downloads = profile.parent / f"{profile.name}-downloads"
        self.downloads.mkdir(parents=True, exist_ok=True)
        opts.add_experimental_option("prefs", {"download.default_directory": str(self.downloads),
                                               "download.prompt_for_download": False})
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", f"--window-size={size[0]},{size[1]}", f"--user-data-dir={profile}"):
            opts.add_argument(arg)
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
        self.driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow",
                                                                    "downloadPath": str(self.downloads)})
        self.driver.get(url)

    def close(self) -> None:
        self.driver.quit()

    def text_of(self, element_id: str) -> str:
        """An element's text; "" while the page is being replaced (its old elements go stale)."""
        from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
        try:
            return self.driver.find_element("id", element_id).text
        except (NoSuchElementException, StaleElementReferenceException):
            return ""

    def kubectl_commands(self) -> str:
        """Open the page's real-kubectl panel and read its commands, once the tab's cluster is served
        (the panel asks when it opens: closed and opened again until it is)."""
        toggle = self.driver.find_element("id", "kubectl-toggle")
        commands = self.driver.find_element("id", "kubectl-commands")
        toggle.click()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not commands.is_displayed():
            time.sleep(0.2)
            toggle.click()
            toggle.click()
        assert commands.is_displayed(), "the real-kubectl panel never showed its commands"
        return commands.text

    def screen(self) -> str:
        return "\n".join(self.driver.execute_script("return window.kubegame.screen()"))

    def wait_for(self, *texts: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if all(t in screen for t in texts):
                return screen
            time.sleep(0.15)
        raise AssertionError(f"{texts!r} did not appear in the browser within {timeout}s; it showed:\n{screen}")

    def keys(self, *keys: str) -> None:
        from selenium.webdriver.common.action_chains import ActionChains
        self.driver.execute_script("window.kubegame.focus()")
        for k in keys:
            ActionChains(self.driver).send_keys(k).perform()
            time.sleep(0.12)

    def command(self, line: str) -> None:
        """`:` opens the command line; the line is typed as a player types it."""
        from selenium.webdriver.common.keys import Keys
        self.keys(":")
        self.keys(line)
        self.keys(Keys.ENTER)

    def click_text(self, text: str) -> None:
        """A mouse click on the first cell showing `text`."""
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.by import By
        rows = self.driver.execute_script("return window.kubegame.screen()")
        y = next(i for i, row in enumerate(rows) if text in row)
        x = rows[y].index(text) + 1
        el = self.driver.find_element(By.CSS_SELECTOR, ".xterm-screen")
        cols, nrows = self.driver.execute_script("return [window.kubegame.terminal.cols, window.kubegame.terminal.rows]")
        w, h = el.size["width"] / cols, el.size["height"] / nrows
        ActionChains(self.driver).move_to_element_with_offset(
            el, int((x + 0.5) * w - el.size["width"] / 2), int((y + 0.5) * h - el.size["height"] / 2)).click().perform()

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.driver.save_screenshot(str(path))
        return path

    def start_first_level(self) -> None:
        from selenium.webdriver.common.keys import Keys
        self.wait_for("campaign", "Hello, Pod")
        self.keys(Keys.ENTER)                            # the first level's briefing
        self.wait_for("Hello, Pod")
        self.keys(Keys.ENTER)                            # the game screen
        self.wait_for("space starts")
        self.keys(" ")                                   # start the clock, and pause it again
        self.keys(" ")
        self.wait_for("paused")


def test_play_and_win_the_first_level_in_a_browser(web, tmp_path):
    from selenium.webdriver.common.keys import Keys
    url, home = web
    tab = Tab(url, tmp_path / "profile")
    try:
        screen = tab.wait_for("campaign", "Hello, Pod")
        assert "playing as guest" in tab.text_of("who")
        tab.shot("title")
        tab.start_first_level()

        tab.command("kubectl get pods")
        screen = tab.wait_for("$ kubectl get pods", "READY", "STATUS")
        assert re.search(r"hello-[a-z0-9]+-[a-z0-9]{5}\s+1/1\s+Running", screen), screen

        tab.click_text("minikube")                        # the mouse: a node card describes its node
        screen = tab.wait_for("kubectl describe node minikube", "Name:")

        tab.command("kubectl edit deployment hello")      # the editor, then cancel it
        screen = tab.wait_for("ctrl+s save", "replicas: 1")
        tab.keys(Keys.ESCAPE)
        tab.wait_for("Edit cancelled")
        tab.keys(Keys.ESCAPE)                             # from the command line back to the board

        tab.command("kubectl scale deployment hello --replicas=3")   # the level's solution
        tab.wait_for("deployment.apps/hello scaled")
        tab.keys(Keys.ESCAPE, "+", "+", "+", " ")         # to the board; 16 ticks a second, and run
        screen = tab.wait_for("LEVEL COMPLETE", timeout=90)
        tab.shot("first-level-won")

        cols = tab.driver.execute_script("return window.kubegame.terminal.cols")
        tab.driver.set_window_size(1000, 760)            # resizing re-lays the game out
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and tab.driver.execute_script(
                "return window.kubegame.terminal.cols") == cols:
            time.sleep(0.2)
        narrower = tab.driver.execute_script("return window.kubegame.terminal.cols")
        assert narrower < cols
        deadline = time.monotonic() + 20                  # the game draws itself again at the new width
        while time.monotonic() < deadline:
            screen = tab.wait_for("LEVEL COMPLETE")
            if max(len(r.rstrip()) for r in screen.splitlines()) <= narrower:
                break
            time.sleep(0.2)
        assert max(len(r.rstrip()) for r in screen.splitlines()) <= narrower, screen
        tab.shot("first-level-won-resized")
        # back to the title, and quit the game; each screen shows its keys once it takes them
        # (kubegame/tui/grace.py: keys typed for the screen before are not acted on)
        tab.wait_for("esc levels", "s download")
        tab.keys("s")                                     # the replay lives on the server: download it
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not list(tab.downloads.glob("first-pod-*.json")):
            time.sleep(0.2)
        (replay,) = tab.downloads.glob("first-pod-*.json")
        verified = subprocess.run([sys.executable, "-m", "kubegame", "replay", "--verify", str(replay)], cwd=ROOT,
                                  capture_output=True, text=True, timeout=120)
        assert verified.returncode == 0, verified.stderr      # the browser player's own play, checked here
        assert "verified: first-pod" in verified.stdout
        tab.keys(Keys.ESCAPE)
        tab.wait_for("campaign", "q quit")
        tab.keys("q")
        ended = tab.driver.find_element("css selector", ".closed-dialog")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not ended.is_displayed():
            time.sleep(0.2)
        assert ended.is_displayed() and "The game has ended." in ended.text
    finally:
        tab.close()
    (progress,) = (home / "web" / "guests").glob("*/progress.json")
    assert '"first-pod"' in progress.read_text() and '"won": true' in progress.read_text()


def test_two_tabs_are_two_games_and_real_kubectl_reaches_its_own(web, tmp_path):
    from selenium.webdriver.common.keys import Keys
    url, home = web
    a, b = Tab(url, tmp_path / "a"), Tab(url, tmp_path / "b")
    try:
        b.wait_for("campaign")
        name = b.driver.find_element("css selector", "#as-player input")    # play under a name
        name.send_keys("Grace", Keys.ENTER)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and "Grace" not in b.text_of("who"):    # the page loads anew
            time.sleep(0.2)
        assert b.text_of("who") == "playing as Grace"
        a.start_first_level()
        b.start_first_level()
        a.wait_for("button gives its kubeconfig")        # the game's own note points at the page, not a CLI
        # tab a's panel gives the commands for real kubectl; run them as a shell would
        commands = a.kubectl_commands()
        kubeconfig_url = re.search(r"curl -so kubegame\.yaml (\S+)", commands).group(1)
        assert "export KUBECONFIG=$PWD/kubegame.yaml" in commands and "kubectl get pods" in commands
        a.shot("real-kubectl-panel")
        config = tmp_path / "kubegame.yaml"
        config.write_bytes(urllib.request.urlopen(kubeconfig_url, timeout=10).read())
        scaled = subprocess.run([str(KUBECTL), "--kubeconfig", str(config), "scale", "deployment", "hello",
                                 "--replicas=2"], capture_output=True, text=True, timeout=60)
        assert scaled.returncode == 0, scaled.stderr
        assert scaled.stdout == "deployment.apps/hello scaled\n"
        a.driver.find_element("id", "kubectl-close").click()     # the keyboard goes back to the game

        a.keys(Keys.ESCAPE)
        a.command("kubectl get deployment hello")
        assert re.search(r"hello\s+1/2\s+", a.wait_for("UP-TO-DATE", "hello"))
        b.command("kubectl get deployment hello")
        screen_b = b.wait_for("UP-TO-DATE", "hello")
        assert re.search(r"hello\s+1/1\s+", screen_b), screen_b    # tab b's game never saw that
        b_commands = b.kubectl_commands()
        assert re.search(r"curl -so kubegame\.yaml (\S+)", b_commands).group(1) != kubeconfig_url
        # each tab runs its own game process, with its own cluster on its own port
        ports = {urllib.request.urlopen(u, timeout=10).read().decode().split("server: https://127.0.0.1:")[1][:5]
                 for u in (kubeconfig_url, re.search(r"curl -so kubegame\.yaml (\S+)", b_commands).group(1))}
        assert len(ports) == 2
    finally:
        a.close()
        b.close()
    assert (home / "web" / "players" / "grace" / "history").read_text().splitlines() == [
        "kubectl get deployment hello"]
