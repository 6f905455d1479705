"""A kubegame web tab's game reads no file of the server's disk (`kubegame play --no-host-files`):
kubectl's -f and --from-file say why, and a terminal game still reads the player's files."""

from __future__ import annotations

from kubegame.game import Game
from kubegame.level.catalog import find_level
from kubegame.progress import Progress

MANIFEST = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-disk\ndata:\n  k: v\n"


def test_a_web_game_reads_no_file_of_the_server(tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text(MANIFEST)
    game = Game(find_level("first-pod"))
    game.host_files = False
    applied = game.submit(f"kubectl apply -f {secret}")
    assert applied.exit_code == 1
    assert applied.error.startswith(f'error: the path "{secret}" cannot be read: kubegame web reads no files '
                                    "from the server's disk")
    made = game.submit(f"kubectl create configmap leak --from-file={secret}")
    assert made.exit_code == 1
    assert "no such file or directory" in made.error and "kubegame web reads no files" in made.error
    assert game.submit("kubectl get configmap leak").exit_code == 1
    # stdin still works: the way a browser player hands YAML over
    piped = game.submit(f"echo '{MANIFEST}' | kubectl apply -f -")
    assert piped.exit_code == 0, piped.error
    assert piped.output == "configmap/from-disk created\n"
    assert all("files" not in c for c in game.commands)      # nothing of the disk went into the replay


def test_a_terminal_game_reads_the_players_files(tmp_path):
    path = tmp_path / "cm.yaml"
    path.write_text(MANIFEST)
    game = Game(find_level("first-pod"))
    res = game.submit(f"kubectl apply -f {path}")
    assert res.output == "configmap/from-disk created\n"
    assert game.commands[-1]["files"] == {str(path): MANIFEST}


def test_two_games_of_one_player_both_keep_their_results(tmp_path):
    """Two kubegame web tabs of one player: each records into progress.json read afresh under a
    lock, so neither result overwrites the other."""
    tab1, tab2 = Progress(tmp_path), Progress(tmp_path)     # both loaded before either wins
    tab1.record("first-pod", 900, 3, True)
    tab2.record("replica-counter", 700, 2, True)
    again = Progress(tmp_path)
    assert again.stars("first-pod") == 3 and again.stars("replica-counter") == 2
    assert tab2.stars("first-pod") == 3                       # the later writer saw the earlier one
