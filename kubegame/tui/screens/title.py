"""The title and level select: the campaign by chapter, concepts, best stars, locks."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from kubegame.tui.grace import KeyGrace

LOGO = """\
 _          _
| |__ _  _ | |__  ___  __ _  __ _  _ __   ___
| / /| || || '_ \\/ -_)/ _` |/ _` || '  \\ / -_)
|_\\_\\ \\_,_||_.__/\\___|\\__, |\\__,_||_|_|_|\\___|
                      |___/"""


def stars_text(n: int) -> str:
    return "★" * n + "☆" * (3 - n)


class TitleScreen(KeyGrace, Screen):
    BINDINGS = [
        Binding("enter", "play", "play", show=True, id="title.play"),
        Binding("u", "unlock_all", "unlock all", id="title.unlock"),
        Binding("g", "glossary", "glossary", id="title.glossary"),
        Binding("c", "chaos", "chaos", id="title.chaos"),
        Binding("d", "daily", "daily", id="title.daily"),
        Binding("i", "interview", "interview", id="title.interview"),
        Binding("s", "sandbox", "sandbox", id="title.sandbox"),
        Binding("q", "quit", "quit", id="title.quit"),
    ]

    def __init__(self, grace: bool = False) -> None:
        super().__init__(id="title")
        if grace:
            self.start_grace()        # back from a level: the player may still be typing

    def compose(self) -> ComposeResult:
        with Vertical(id="title-box"):
            yield Static(LOGO, id="logo", markup=False)
            yield Static("Keep the services up. Type real kubectl.", id="tagline", markup=False)
            levels = OptionList(id="levels")
            levels.border_title = "campaign"
            yield levels
            yield Static("", id="level-info")
        yield Footer()

    def on_mount(self) -> None:
        self.reload()
        self.query_one("#levels").focus()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        app = self.app
        ol = self.query_one("#levels", OptionList)
        highlighted = ol.highlighted
        ol.clear_options()
        campaign = app.campaign
        won = {e.name for e in campaign.entries if app.progress.best(e.name).get("won")}
        # the title column: a locked row's starts two cells later ("⊘ "), and the longest title fits
        width = max([32] + [len(e.title) for e in campaign.entries if e.ok]) + 2
        chapter: object = object()
        first_open: int | None = None
        for e in campaign.entries:
            if e.chapter != chapter:
                chapter = e.chapter
                label = f"chapter {chapter}" if chapter is not None else "more levels"
                ol.add_option(Option(Content.styled(f"── {label} ", "bold $text-muted"), disabled=True))
            if not e.ok:
                ol.add_option(Option(Content.assemble(("  ✖ ", "$text-error"), (e.name, "strike"),
                                                      (f"  does not load: {e.error}", "$text-error")),
                                     id=f"level:{e.name}", disabled=True))
                continue
            open_ = campaign.unlocked(e.name, won, app.unlock_all)
            stars = app.progress.stars(e.name)
            concepts = ", ".join(e.concepts[:4])
            room = max(0, self.app.size.width - 56)
            concepts = concepts if len(concepts) <= room else concepts[: max(0, room - 1)] + ("…" if room else "")
            if open_:
                body = Content.assemble("  ", (f"{e.title:<{width}}", "bold"), " ", (stars_text(stars), "$text-warning"),
                                        "  ", (concepts, "$text-muted"))
                if first_open is None or (stars == 0 and first_open is None):
                    first_open = ol.option_count
            else:
                body = Content.assemble(("  ⊘ ", "$text-muted"), (f"{e.title:<{width - 2}}", "$text-muted"),
                                        (" locked: win the level before", "$text-muted"))
            ol.add_option(Option(body, id=f"level:{e.name}", disabled=not open_))
        if not campaign.entries:
            ol.add_option(Option("no levels found", disabled=True))
        if highlighted is not None and highlighted < ol.option_count:
            ol.highlighted = highlighted
        elif first_open is not None:
            ol.highlighted = first_open
        self._show_info()

    def _entry(self):
        ol = self.query_one("#levels", OptionList)
        if ol.highlighted is None:
            return None
        opt = ol.get_option_at_index(ol.highlighted)
        if not opt.id or not opt.id.startswith("level:"):
            return None
        return self.app.campaign.find(opt.id.split(":", 1)[1])

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show_info()

    def _show_info(self) -> None:
        e = self._entry()
        info = self.query_one("#level-info", Static)
        if e is None or not e.ok:
            info.update("")
            return
        best = self.app.progress.best(e.name)
        if not best:
            score = "not played yet"
        elif best.get("won"):
            score = f"best score {best.get('bestScore')}"
        else:
            plays = int(best.get("plays", 0) or 0)
            score = f"played {plays} time{'s' if plays != 1 else ''}, not won yet"
        info.update(Content.assemble((f"{e.title}", "bold"), f" · {e.duration} ticks · {score} · concepts: ",
                                     (", ".join(e.concepts) or "-", "$text-accent")))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_play()

    def action_play(self) -> None:
        e = self._entry()
        if e is not None:
            if e.level is not None:
                self.app.open_briefing(e.level)
            else:
                self.reload()              # it turned out not to load: listed as such now

    def action_unlock_all(self) -> None:
        if self.app.unlock_all:
            self.app.unlock_all = False
            self.notify("levels lock again until won", timeout=2)
            self.reload()
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self.app.unlock_all = True
                self.notify("every level unlocked", timeout=2)
                self.reload()

        from kubegame.tui.screens.modals import ConfirmScreen
        self.app.push_screen(ConfirmScreen("Unlock every level? Levels open one by one as you win them; "
                                           "unlocking skips that.", yes="Unlock", no="Cancel"), answer)

    def action_chaos(self) -> None:
        self.app.start_mode("chaos")

    def action_daily(self) -> None:
        self.app.start_daily()

    def action_interview(self) -> None:
        self.app.start_interview()

    def action_sandbox(self) -> None:
        self.app.start_mode("sandbox")

    def action_glossary(self) -> None:
        from kubegame.tui.screens.modals import GlossaryScreen

        self.app.push_screen(GlossaryScreen([]))

    def action_quit(self) -> None:
        self.app.exit(0)
