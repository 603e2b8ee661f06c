"""`trainyard algorithms [NAME]`: the registry as a user reads it (no run, no instance)."""

from assets.cli import main


def test_algorithms_lists_every_algorithm_with_its_task(capsys):
    assert main(["algorithms"]) == 0
    lines = capsys.readouterr().out.splitlines()
    ridge = next(line for line in lines if line.startswith("ridge "))
    assert ridge.split()[1] == "regression" and "L2 penalty" in ridge
    assert next(line for line in lines if line.startswith("q_learning ")).split()[1] == (
        "reinforcement"
    )


def test_one_algorithm_shows_each_parameter_with_default_and_allowed_values(capsys):
    assert main(["algorithms", "delta_rule"]) == 0
    out = capsys.readouterr().out
    assert "task: classification (default metrics: accuracy, precision, recall, f1)" in out
    rows = {line.split()[0]: line for line in out.splitlines()[5:]}
    assert rows["epochs"].split()[1] == "100" and "an int in the range [1, inf)" in rows["epochs"]
    assert "'lms'" in rows["rule"] and "{'lms', 'perceptron'}" in rows["rule"]


def test_an_unknown_algorithm_lists_the_registered_ones(capsys):
    assert main(["algorithms", "ridg"]) == 1
    err = capsys.readouterr().err
    assert "unknown algorithm 'ridg'" in err and "'ridge'" in err
