"""`trainyard list` and `show` call a champion whose files cannot be loaded damaged, not yes."""

import pytest

from assets.cli import main


@pytest.mark.slow
def test_list_and_show_report_a_damaged_champion(trainyard_home, capsys):
    assert main(["run", "viral_posts_seed"]) == 0
    capsys.readouterr()
    assert main(["list"]) == 0
    [line] = [x for x in capsys.readouterr().out.splitlines() if x.startswith("viral_posts_seed")]
    assert line.endswith(" yes")
    archive = trainyard_home / "artifacts" / "viral_posts_seed" / "champion" / "estimator.npz"
    archive.write_bytes(archive.read_bytes()[:-40])
    assert main(["list"]) == 1
    [line] = [x for x in capsys.readouterr().out.splitlines() if x.startswith("viral_posts_seed")]
    assert f"damaged ({archive}: not a readable .npz archive" in line
    assert main(["show", "viral_posts_seed"]) == 1
    assert f"champion: damaged ({archive}: not a readable .npz archive" in capsys.readouterr().out
