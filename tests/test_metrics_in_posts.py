"""Posts quote the numbers recipes reported, through the MkDocs hook."""

from scripts.site.hooks import quote_metrics

METRICS = {"real_vs_random": {"test_accuracy_real": 0.97333, "epochs": 1200, "diverged": False, "loss": 0.0123456}}


def test_metrics_are_replaced_with_and_without_a_format():
    text = ("Real labels: {{ real_vs_random.test_accuracy_real:.1% }} after\n"
            "{{ real_vs_random.epochs }} epochs, loss {{real_vs_random.loss}}.")
    out, problems = quote_metrics(text, METRICS)
    assert problems == []
    assert out == "Real labels: 97.3% after\n1,200 epochs, loss 0.0123."


def test_unknown_recipe_metric_or_format_is_reported_with_its_line():
    text = "ok\n{{ real_vs_rondom.epochs }}\n{{ real_vs_random.epoch }}\n{{ real_vs_random.epochs:.1q }}"
    out, problems = quote_metrics(text, METRICS)
    assert [line for line, _ in problems] == [2, 3, 4]
    assert "no recipe named 'real_vs_rondom'" in problems[0][1]
    assert "reports no metric 'epoch' (it reports: diverged, epochs, loss, test_accuracy_real)" in problems[1][1]
    assert "bad format" in problems[2][1]
    assert "{{ real_vs_rondom.epochs }}" in out  # left as written, never silently blank
