"""The weighted quality scorecard of STANDARDS.md."""

from __future__ import annotations

import pytest
import yaml

import svcsim
from svcsim.standards.scorecard import Scorecard, load_scorecard, score

BANDS = {
    "response": [{"points": 10, "at_most": "5m"}, {"points": 5, "at_most": "10m"},
                 {"points": 0}],
    "fcr": [{"points": 10, "at_least": "90%"}, {"points": 5, "at_least": "80%"}, {"points": 0}],
    "praise": [{"points": 10, "at_least": "10%"}, {"points": 5, "at_least": "5%"},
               {"points": 0}],
    "nps": [{"points": 10, "at_least": "70%"}, {"points": 5, "at_least": "50%"}, {"points": 0}],
}


def card(**inputs) -> Scorecard:
    return Scorecard.model_validate({
        "name": "STANDARDS.md example",
        "dimensions": [
            {"name": "response time", "input": "response", "bands": BANDS["response"],
             "weight": "20%"},
            {"name": "resolution rate", "input": "fcr", "bands": BANDS["fcr"], "weight": "30%"},
            {"name": "service attitude", "input": "praise", "bands": BANDS["praise"],
             "weight": "25%"},
            {"name": "NPS promoters", "input": "nps", "bands": BANDS["nps"], "weight": "25%"},
        ],
        "inputs": inputs,
        "alerts": [{"input": "csat", "below": "80%"}],
    })


def test_the_standards_example_scores_by_hand():
    # response 7 min: 5 points x 20 %; FCR 92 %: 10 x 30 %; praise 4 %: 0 x 25 %;
    # NPS 72 %: 10 x 25 % -> (1.0 + 3.0 + 0 + 2.5) x 10 = 65 out of 100
    result = score(card(response="7m", fcr="92%", praise="4%", nps="72%", csat="78%"))
    assert result.total == pytest.approx(65.0)
    points = dict(zip(result.dimensions["dimension"], result.dimensions["points"], strict=True))
    assert points == {"response time": 5, "resolution rate": 10, "service attitude": 0,
                      "NPS promoters": 10}
    # weakest first: attitude loses 25 points, response time 10
    assert list(result.dimensions["dimension"][:2]) == ["service attitude", "response time"]
    assert result.alerts == ["csat 78.0% is below 80.0%"]


def test_band_edges_belong_to_the_better_band():
    result = score(card(response="5m", fcr="90%", praise="10%", nps="70%", csat="80%"))
    assert result.total == pytest.approx(100.0) and result.alerts == []


def test_simulated_metrics_score_a_scenario():
    from svcsim.queueing import requirements
    from svcsim.standards.scorecard import simulated_metrics

    scenario = svcsim.load_scenario("scenarios/bank_hotline.yaml")
    staffing = {"hotline": requirements(scenario).pools["scheduled_agents"].to_numpy()}
    result = svcsim.simulate(scenario, staffing=staffing, replications=3, seed=1)
    metrics = simulated_metrics(result, scenario)
    sim_card = Scorecard.model_validate({
        "name": "simulated", "dimensions": [
            {"name": "speed", "metric": "asa", "weight": "50%",
             "bands": [{"points": 10, "at_most": "30s"}, {"points": 0}]},
            {"name": "80/20", "metric": "attainment", "standard": "80/20 every half hour",
             "weight": "50%", "bands": [{"points": 10, "at_least": "80%"}, {"points": 0}]}]})
    scored = score(sim_card, metrics)
    assert metrics["asa"] < 30 and metrics["attainment:80/20 every half hour"] >= 0.8
    assert scored.total == pytest.approx(100.0)


@pytest.mark.parametrize(("change", "words"), [
    ({"dimensions": [{"name": "x", "input": "fcr", "weight": "60%", "bands": [{"points": 1}]}]},
     "add up to 60%"),
    ({"inputs": {}}, "no value in 'inputs' for"),
    ({"dimensions": [{"name": "x", "input": "fcr", "metric": "asa", "weight": "100%",
                      "bands": [{"points": 1}]}]}, "exactly one of 'metric'"),
])
def test_bad_scorecards_are_explained(tmp_path, change, words):
    data = {"name": "bad", "dimensions": [{"name": "fcr", "input": "fcr", "weight": "100%",
                                           "bands": BANDS["fcr"]}], "inputs": {"fcr": "85%"},
            **change}
    path = tmp_path / "card.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(svcsim.ScenarioError, match=words) as caught:
        load_scorecard(path)
    assert str(path) in str(caught.value)
