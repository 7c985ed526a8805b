"""Train, evaluate and save the shipped model (``models/stance-default``) with its model card, in one command.

    python scripts/train_model.py [--data ../shared/data] [--seed 0] [--out models/stance-default]

1. genre: ``train_genre.train`` (random split + leave-source-out evaluation, then a final fit on everything)
   → ``reports/genre_eval.json``;
2. stance: ``train_stance.train`` (NewsMTSC train), evaluated by ``evaluate_stance`` on NewsMTSC dev-rw/mt and
   PerSenT dev with VADER and TF-IDF baselines → ``reports/stance_eval.json``;
3. both parts saved as one model folder (plain JSON + numpy arrays, checksummed) with ``MODEL_CARD.md``.

Same data + same seed → the same model and the same figures.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
for path in (REPO, REPO / "scripts"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import evaluate_stance  # noqa: E402
import train_genre  # noqa: E402
import train_stance  # noqa: E402

import stance  # noqa: E402
from stance.model import Model  # noqa: E402
from stance.training import STANCE_LABELS  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "data"
MODEL_VERSION = "0.1.0"


def _log(message: str) -> None:
    print(f"train_model: {message}", file=sys.stderr, flush=True)


def _prf_table(result: dict) -> list[str]:
    lines = ["| class | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for label, row in result["per_class"].items():
        lines.append(f"| {label} | {row['precision']:.3f} | {row['recall']:.3f} | {row['f1']:.3f} | {row['support']} |")
    lines.append(f"| **macro-F1** | | | **{result['macro_f1']:.3f}** | n = {result['n']} |")
    return lines


def _confusion(result: dict) -> list[str]:
    conf = result["confusion"]
    labels = conf.get("rows_true_cols_pred") or conf.get("labels")
    lines = ["| true \\ predicted | " + " | ".join(map(str, labels)) + " |", "|---" * (len(labels) + 1) + "|"]
    for label, row in zip(labels, conf["matrix"]):
        lines.append(f"| {label} | " + " | ".join(str(v) for v in row) + " |")
    return lines


def _stance_rows(report: dict, set_name: str, part: str | None = None) -> list[str]:
    res = report["sets"][set_name]
    if part:
        res = res[part]
    lines = ["| system | F1 negative | F1 neutral | F1 positive | macro-F1 | accuracy | n |", "|---|---|---|---|---|---|---|"]
    for system, m in res.items():
        if not isinstance(m, dict) or "per_class" not in m:
            continue
        pc = m["per_class"]
        lines.append(f"| {system} | {pc['negative']['f1']:.3f} | {pc['neutral']['f1']:.3f} | {pc['positive']['f1']:.3f} "
                     f"| {m['macro_f1']:.3f} | {m['accuracy']:.3f} | {m['n']} |")
    return lines


def model_card(meta: dict, genre: dict, stance_report: dict) -> str:
    rs, lso, seeds = genre["random_split"], genre.get("leave_source_out"), genre["seeds"]
    texts = genre["genre_texts"]
    n_interviews = sum(k.startswith("interview/") for k in texts["per_text"])
    wrong_texts = {k: v["pred_article"] for k, v in texts["per_text"].items() if k.split("/")[0] != v["pred_article"]}
    out = [
        f"# Model card: {meta['name']} {meta['version']}",
        "",
        f"stance {meta['stance_version']}, scikit-learn {meta['sklearn_version']}, model format "
        f"{meta['format_version']}, seed {meta['seed']}. Retrain with `python scripts/train_model.py` "
        "(about 3 minutes on 2 idle cores); the figures below are what that command prints and writes to `reports/`.",
        "",
        "## Intended use",
        "Genre (reporting / opinion / satire / interview) of English news articles and paragraphs, and the stance "
        "of the text toward the people, countries and organisations it mentions. Trained on US-centred news of the "
        "2010s; see the failure modes below before trusting it on other material.",
        "",
        "## Training data (read by path, never copied into the repository)",
        "| file | SHA-256 | terms |",
        "|---|---|---|",
    ]
    for entry in meta["training"]["files"]:
        out.append(f"| `{entry['path']}` | `{entry['sha256']}` | {entry.get('terms', '')} |")
    prov = genre["provenance"]
    out += [
        "",
        f"Genre corpus: articles per genre {json.dumps(prov['articles_per_genre'])}, paragraphs per genre "
        f"{json.dumps(prov['paragraphs_per_genre'])}; each genre capped at {prov['class_cap']} articles drawn "
        "round-robin over its sources; press conferences at most 15% of interview. "
        + (f"The Onion / r/nottheonion headlines ({json.dumps(prov['headlines']['rows_per_genre'])}) train only a "
           "small satire-vs-reporting headline model whose log-odds is one stage-1 feature of every paragraph; "
           "they are not articles, so they are in no evaluation fold (reports/genre_headlines.md). "
           if "headlines" in prov else "Onion headlines not used. ")
        + "Reporting comes from Horne's real-news rows, BASIL articles and PerSenT documents; for the "
        "leave-source-out folds PerSenT is grouped by the outlet named in its dateline or credit line "
        "(AP, Reuters, AFP, CNN, ...; the rest form one group), BASIL by outlet and Horne by its sample (BuzzFeed or random). "
        + (f"Horne's BuzzFeed sample, which the data README warns may include opinion, carries our own labels "
           f"({json.dumps(prov['relabelled']['rows'])} rows, `stance/data/genre_relabels.json`, written by reading each "
           "row before looking at any prediction): its op-eds and editorials train and are scored as opinion, and the "
           "undecidable rows are left out. " if prov.get("relabelled") else "")
        + "Source names, datelines, URLs and boilerplate are stripped; speaker labels stay. PerSenT's "
        "preprocessing artefacts (lost commas, tokenised punctuation, spaces padding every mention of the main "
        "entity) are undone first, so they cannot mark its rows as reporting.",
        f"Stance corpus: NewsMTSC train, label counts {json.dumps(stance_report['model']['provenance'].get('label_counts', {}))}.",
        "",
        "## Genre: held-out results",
        f"Random split ({rs['n_test_articles']} test articles), article level:",
        "",
        *_prf_table(rs["article"]),
        "",
        "Random split, paragraph level:",
        "",
        *_prf_table(rs["paragraph"]),
    ]
    if lso:
        out += [
            "",
            "**Leave-source-out** (whole outlets/sites held out, 4 folds), article level:",
            "",
            *_prf_table(lso["article"]),
            "",
            *_confusion(lso["article"]),
            "",
            "Leave-source-out, paragraph level:",
            "",
            *_prf_table(lso["paragraph"]),
            "",
            *_confusion(lso["paragraph"]),
            "",
            f"Single-genre articles from unseen sources wrongly flagged `mixed`: {lso['false_mixed_rate']:.1%}.",
        ]
    cal = rs["calibration"]
    out += [
        "",
        f"Calibration (paragraph probabilities, random split): temperature {cal['temperature']}; ECE "
        f"{cal['before']['ece']} → {cal['after']['ece']}, Brier {cal['before']['brier']} → {cal['after']['brier']}.",
        "",
        f"Seeds (`seeds/`, paragraph labels written by us in `tests/fixtures/seed_genres.json`): paragraph accuracy "
        f"{seeds['paragraph_accuracy']:.1%}, article labels {seeds['articles_correct']}/{seeds['articles']} right.",
        "",
        f"Our own short texts (`tests/fixtures/genre_texts`, written for the tests in shapes the training data lacks: "
        f"{n_interviews} interviews in web layouts, non-US and science news, letters, reviews, satire about invented "
        f"governments): article labels {texts['articles_correct']}/{texts['articles']} right"
        + (f"; wrong: {', '.join(f'{k} → {v}' for k, v in wrong_texts.items())}." if wrong_texts else "."),
        "",
        "## Stance: held-out results",
        "NewsMTSC dev-rw (sentence + target; the model's most probable class):",
        "",
        *_stance_rows(stance_report, "newsmtsc_dev_rw"),
        "",
        "NewsMTSC dev-mt:",
        "",
        *_stance_rows(stance_report, "newsmtsc_dev_mt"),
        "",
        "PerSenT dev documents (author's stance toward the main person; mention sentences aggregated; evaluation "
        "half of the documents). `model_as_shipped` is what `stance.classify` reports (the most probable class of "
        "the confidence-weighted mean probabilities); `model`, `tfidf` use score thresholds tuned on the other half:",
        "",
        *_stance_rows(stance_report, "persent_dev_documents", "eval_half"),
        "",
        f"Throughput of the stance classifier alone: {stance_report['throughput_mentions_per_s']:.0f} mentions/s on one core.",
        "",
        "## Known failure modes",
        "- Genre: reporting was learnt mostly from 2010s US politics; non-US and 2024 world news tends to read as "
        "opinion. Satire was learnt from fake-news parody sites, so first-person satirical columns often come out "
        "as opinion. Opinion comes mostly from one corpus (three outlets, 2014–15), plus the 22 op-eds and editorials of Horne's BuzzFeed sample (2016). One-line headings can flip genre.",
        "- Genre, very short texts: a text of a few words still gets confident stage-1 scores (\"!!!\" reads as "
        "satire 1.00) because rate features are extreme on so few words; stage 2 no longer counts a lone paragraph's "
        "evidence four times (it trains on 1–3-paragraph pages too; `reports/genre_short_texts.md`).",
        "- Genre, a lone paragraph of another genre inside an article (one opinion paragraph in a report, one "
        "report paragraph in a column) is read as part of the article: on held-out articles 14% of such "
        "paragraphs get their own genre while 94.5% of the host's paragraphs keep the host's "
        "(`python scripts/genre_lone_paragraph.py`). Stage 2 follows *runs*: the page is cut where the stage-1 "
        "evidence for another genre outweighs a fixed cost per change (`segment_penalty` 4, in log-probability "
        "units), so a block of several paragraphs gets its own genre, which is what `mixed` reports, while one "
        "paragraph rarely does. The cost was set to 4 before looking at the seeds, and 2 and 8 measured no better overall "
        "(`scripts/genre_lso.py`); the idea came from reading seed 001, whose wire block stage 2 used to fold "
        "into the satire around it, so that page is weak evidence for it. Each run is also read as one text by "
        "two models trained on whole articles, whose readings stage 2 weighs with the paragraphs' own: one on "
        "stage 1's n-grams, style means and length (`run_model`), one on the run's style words alone "
        "(closed-class words and word shapes, `run_style`). They lifted leave-source-out article macro-F1 from "
        "about 0.82 to 0.86 over three training seeds (`reports/genre_runs.md`). Part of the first one's gain "
        "comes from the run's length, which in these corpora also tells sources apart: a transcript is long, a "
        "satire piece short.",
        "- Genre, interviews: every training interview is a long presidential transcript with a speaker label on "
        "every turn. Run models that also read interview learnt to demand that, and the stop-13 model read 11 of "
        "our 15 interviews as opinion or satire. The run models now leave interview out, and stage 2 decides "
        "interview or not without their readings; a timestamp before a speaker label (\"[00:01:12] Priya:\") no "
        "longer hides it. An interview **without speaker labels** (questions as plain or bold paragraphs, answers "
        "after a dash) still reads as satire; training on transcripts stripped of their labels did not fix it "
        "(`reports/genre_runs.md`).",
        "- Genre, texts unlike the training sources lean to satire: a personal column, a letter to the editor "
        "and a science news story among our own texts; satire written as a deadpan "
        "government announcement reads as reporting. So does text in other languages and pages of numbers or "
        "emoji: the model is for English and still gives them a confident genre.",
        "- Genre, layout: an interview whose speaker names stand on their own line (\"MINISTER\" above the answer) "
        "reads as satire, as unlabelled turns do. A scraped page with no paragraph breaks is one long run, and "
        "its genre can move with its length (a report repeated 100 times in one paragraph reads as opinion).",
        "- Genre, first-person columns: opinion was learnt from institutional editorials (we/our), while the "
        "interview transcripts are full of I/you talk, so a personal column (\"I have lived in this city for thirty "
        "years … I believe she owes us an apology\") can have paragraphs read as interview.",
        "- Stance: a linear model on sentence features (including the target's role: subject, possessor, object, "
        "or inside \"in/to/on/of/by TGT\"), plus a small hand-written lexicon of conflict cues "
        "(`stance/data/stance_cues.json`: support for, violence against, aggression by the target, scare quotes, "
        "derogatory labels) added to its scores. Some cues were written after reading the example pages in `seeds/`, "
        "so those pages are weak evidence for them. It still leans negative on conflict news full of war words even "
        "toward actors the author sympathises with; \"X condemned Y\" can lean negative toward X because NewsMTSC's "
        "labels often do; a satire quoting praise reads as praise. Countries and organisations are rare in the "
        "training data.",
        "- Stance, predicate link: when the target opens the subject noun phrase, the predicate past a "
        "parenthetical and closed lists of decrease verbs compose polarity (\"TGT's popularity has eroded\" negative, "
        "\"TGT's deficit has shrunk\" positive, \"erode their strength\" negative). The rule was written after the "
        "one seed-002 sentence about Putin, so that page is weak evidence for it; NewsMTSC has almost no such "
        "sentences (the composition fires on 2 training rows), so its effect comes from the general polarity "
        "weights, not from learnt examples. Increases (\"influence has grown\") and targets inside a "
        "prepositional phrase (\"the popularity of TGT\") are not composed.",
        "- Actors: a country's or organisation's one-word name is read as part of a two-word personal name when a given name comes before it (\"Michael Jordan\", \"Steve Holland\") or it is itself a given name before a surname (\"Israel Adesanya\"); longer names, and a given name that is also a common word (\"Chad\" opening a sentence), still read as the country; role aliases "
        "(\"US President\") reflect late 2024.",
        "",
    ]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared data folder (default ../shared/data)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=REPO / "models" / "stance-default")
    ap.add_argument("--reports", type=Path, default=REPO / "reports")
    args = ap.parse_args(argv)
    started = time.time()

    _log("training and evaluating the genre model (random split + leave-source-out)")
    genre_model, genre_metrics = train_genre.train(args.data, args.seed, full_eval=True, log=_log)
    args.reports.mkdir(parents=True, exist_ok=True)
    (args.reports / "genre_eval.json").write_text(json.dumps(genre_metrics, indent=1) + "\n", encoding="utf-8")

    _log("training the stance model")
    stance_model, stance_prov = train_stance.train(args.data, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        train_stance.save(stance_model, stance_prov, Path(tmp))
        _log("evaluating the stance model against VADER and TF-IDF baselines")
        evaluate_stance.main(["--data", str(args.data), "--model", tmp, "--report", str(args.reports / "stance_eval.json")])
    stance_report = json.loads((args.reports / "stance_eval.json").read_text(encoding="utf-8"))

    # the same "training": {"files": [{"path", "sha256", ...}]} shape as a model trained with `stance train`
    training_files = [{"path": rel, "sha256": info["sha256"], "terms": info["terms"], "used_for": "genre"}
                      for rel, info in genre_metrics["provenance"]["files"].items()]
    training_files += [{"path": f"stance/{name}", "sha256": info["sha256"], "terms": info["terms"],
                        "used_for": "stance"} for name, info in stance_prov["files"].items()]
    lso = genre_metrics.get("leave_source_out", {})
    meta = {
        "name": "stance-default",
        "version": MODEL_VERSION,
        "seed": args.seed,
        "labels": {"genre": list(genre_model.labels), "stance": list(STANCE_LABELS)},
        "training": {"files": training_files},
        "metrics": {
            "genre": {
                "random_split_article_macro_f1": genre_metrics["random_split"]["article"]["macro_f1"],
                "random_split_paragraph_macro_f1": genre_metrics["random_split"]["paragraph"]["macro_f1"],
                "leave_source_out_article_macro_f1": lso.get("article", {}).get("macro_f1"),
                "leave_source_out_paragraph_macro_f1": lso.get("paragraph", {}).get("macro_f1"),
                "seed_paragraph_accuracy": genre_metrics["seeds"]["paragraph_accuracy"],
            },
            "stance": {
                "newsmtsc_dev_rw_macro_f1": stance_report["sets"]["newsmtsc_dev_rw"]["model"]["macro_f1"],
                "newsmtsc_dev_mt_macro_f1": stance_report["sets"]["newsmtsc_dev_mt"]["model"]["macro_f1"],
                "persent_documents_macro_f1": stance_report["sets"]["persent_dev_documents"]["eval_half"]["model_as_shipped"]["macro_f1"],
            },
        },
    }
    model = Model(genre=genre_model, stance=stance_model, meta=meta)
    model.save(args.out)  # fills in the meta (format, versions, checksums) that the card quotes
    (args.out / "MODEL_CARD.md").write_text(model_card(model.meta, genre_metrics, stance_report), encoding="utf-8")
    reloaded = stance.load_model(args.out)
    probe = "Ukraine condemned Russia's brutal attack. The ministry said 40 people were hurt."
    assert reloaded.classify(probe).to_dict() == model.classify(probe).to_dict(), "saved model differs from the trained one"
    _log(f"wrote {args.out} in {time.time() - started:.0f}s: {json.dumps(meta['metrics'])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
