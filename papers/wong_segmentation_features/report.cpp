#include "papers/wong_segmentation_features/report.h"

#include <cmath>
#include <map>
#include <sstream>

#include "core/error.h"
#include "papers/common/claims.h"
#include "papers/common/epoch_state.h"
#include "papers/common/files.h"
#include "papers/common/label_overlay.h"
#include "papers/common/report_text.h"
#include "papers/common/run_header.h"
#include "papers/common/stats.h"
#include "papers/common/svg_plot.h"
#include "papers/wong_segmentation_features/brain_labels.h"
#include "papers/wong_segmentation_features/classifiers.h"
#include "papers/wong_segmentation_features/experiment.h"
#include "papers/wong_segmentation_features/learning_curves.h"

namespace medrepro::wong {
namespace {

namespace fs = std::filesystem;
using report::Claim;
using report::fixed;
using report::Json;

// Table 1 of the paper (Dice %, 22 test volumes, per volume averaged) for the
// structures the aseg has, in brain_structure_names() order from label 1.
const std::map<std::string, double>& table_1() {
  static const std::map<std::string, double> dice{
      {"cerebral grey", 83},    {"cerebral white", 86}, {"cerebellar grey", 82},   {"cerebellar white", 77},
      {"brainstem", 80},        {"lateral ventricle", 84}, {"thalamus", 76},       {"caudate", 63},
      {"putamen", 71},          {"pallidum", 65},       {"hippocampus", 58},       {"amygdala", 63},
      {"accumbens", 45},        {"inf. lateral ventricle", 46}, {"3rd ventricle", 59}, {"4th ventricle", 75}};
  return dice;
}

const papers::FinishedRun* find_run(const std::vector<papers::FinishedRun>& runs, const std::string& id) {
  for (const auto& run : runs) {
    if (run.planned.id == id) return &run;
  }
  return nullptr;
}

std::map<std::string, double> dice_by_label(const papers::FinishedRun& run, const std::string& key) {
  std::map<std::string, double> dice;
  for (const Json& d : run.result[key].array()) dice[d["label"].string()] = d["dice"].number();
  return dice;
}

std::string percent(double fraction) { return fixed(100.0 * fraction, 1); }

std::string dice_section(const papers::FinishedRun* aseg, const papers::FinishedRun* kmeans, Claim& ranking) {
  std::ostringstream md;
  md << "## Segmentation: Dice beside Table 1\n\n";
  ranking = {"Large structures (cerebral grey and white, brainstem, lateral ventricle) are segmented better than "
             "small ones (accumbens, amygdala, inferior lateral ventricle): Table 1, ≥ 80% against ≤ 63%",
             "mean held-out Dice of the large structures above the small ones' (ASEG network)", "cannot tell",
             "the ASEG segmentation run did not finish", {}};
  if (!aseg || aseg->diverged()) {
    md << "The ASEG segmentation run " << (aseg ? "diverged: " + aseg->result["divergence"].string() : "is missing")
       << ".\n\n";
  } else {
    const auto dice = dice_by_label(*aseg, "held_out_dice");
    const auto independent = dice_by_label(*aseg, "mricrop_dice");
    md << "The paper scores 22 test volumes, each its own subject (per volume, averaged). Here one T1 gives all "
          "slices: Dice on the held-out slabs (" << aseg->result["held_out_slices"].number()
       << " slices, pixels pooled), within one subject and optimistic, since the other orientations' training "
          "slices cross the slabs. Voxels: the structure's pixels in the held-out slices at the network's "
          "resolution; a structure with 0 pixels there is scored 100% when never predicted.\n\n"
       << "The last column scores the same network on ITK-SNAP's MRIcrop, another subject's T1 crop with manual "
          "labels of six of the structures (pixels inside the crop, all its slices along the three axes, pooled): "
          "independent of the training subject, but mixing network error with the difference between FreeSurfer's "
          "and the manual protocol and a field of view unlike the training slices'.\n\n"
       << "| Structure | Paper (Table 1) | ASEG network, held-out | Pixels | MRIcrop (manual) |\n|---|---|---|---|---|\n";
    double paper_mean = 0, ours_mean = 0;
    for (const Json& d : aseg->result["held_out_dice"].array()) {
      const std::string& label = d["label"].string();
      const double reported = table_1().at(label);
      paper_mean += reported;
      ours_mean += d["dice"].number();
      md << "| " << label << " | " << fixed(reported, 0) << "% | " << percent(d["dice"].number()) << "% | "
         << d["true_voxels"].number() << " | "
         << (independent.count(label) ? percent(independent.at(label)) + "%" : "–") << " |\n";
    }
    const double n = double(table_1().size());
    md << "| mean of these 16 | " << fixed(paper_mean / n, 1) << "% (all 19: 69%) | " << percent(ours_mean / n)
       << "% | | |\n\n";
    const double large =
        (dice.at("cerebral grey") + dice.at("cerebral white") + dice.at("brainstem") + dice.at("lateral ventricle")) / 4;
    const double small = (dice.at("accumbens") + dice.at("amygdala") + dice.at("inf. lateral ventricle")) / 3;
    ranking.verdict = large > small ? "holds" : "does not hold";
    ranking.evidence = "large " + percent(large) + "%, small " + percent(small) + "% (held-out slices)";
  }
  if (kmeans && !kmeans->diverged()) {
    md << "The KMEANS network (the paper's THRESHOLD) against its own k-means labels, which the paper does not "
          "score:\n\n| Cluster | Held-out Dice |\n|---|---|\n";
    for (const Json& d : kmeans->result["held_out_dice"].array()) {
      md << "| " << d["label"].string() << " | " << percent(d["dice"].number()) << "% |\n";
    }
    md << "\n";
  }
  return md.str();
}

std::vector<int> labels_of(const Json& array) {
  std::vector<int> labels;
  for (const Json& v : array.array()) labels.push_back(static_cast<int>(v.number()));
  return labels;
}

// 64-pixel slices drawn 4x, one output pixel per outline.
const report::OverlayOptions kOverlayOptions{0.45f, true, 1, 99, 4, 4};

// A stored overlay slice (experiment.cpp) as a panel with `labels`, or the slice alone.
report::OverlayPanel overlay_panel(const Json& slice, std::vector<int> labels = {}) {
  const int size = static_cast<int>(slice["size"].number());
  std::vector<float> image;
  for (const Json& v : slice["image"].array()) image.push_back(static_cast<float>(v.number()));
  return {size, size, std::move(image), std::move(labels)};
}

std::string overlay_section(const fs::path& out, const papers::FinishedRun* aseg, const papers::FinishedRun* kmeans) {
  if (!aseg || aseg->diverged() || !kmeans || kmeans->diverged()) return "";
  std::ostringstream md;
  md << "### Overlays (Figs. 3-4 analogue)\n\nHeld-out slices, one per orientation: image | aseg structures | ASEG "
        "network | k-means clusters | KMEANS network. Colours repeat after seven labels, so distinct structures can "
        "share a colour.\n\n";
  const auto& a = aseg->result["overlays"].array();
  const auto& k = kmeans->result["overlays"].array();
  for (size_t i = 0; i < std::min(a.size(), k.size()); ++i) {
    const std::string name = "figures/overlay_" + a[i]["case"].string() + ".png";
    report::write_label_overlay_png(
        (out / name).string(),
        {overlay_panel(a[i]), overlay_panel(a[i], labels_of(a[i]["labels"])),
         overlay_panel(a[i], labels_of(a[i]["predicted"])), overlay_panel(a[i], labels_of(k[i]["labels"])),
         overlay_panel(a[i], labels_of(k[i]["predicted"]))},
        kOverlayOptions);
    md << "![" << a[i]["case"].string() << "](" << name << ")\n\n";
  }
  md << "MRIcrop, one slice per orientation: image | manual labels (mapped onto the structures) | ASEG network "
        "(inside the crop).\n\n";
  for (const Json& o : aseg->result["mricrop_overlays"].array()) {
    const std::string name = "figures/overlay_" + o["case"].string() + ".png";
    report::write_label_overlay_png(
        (out / name).string(),
        {overlay_panel(o), overlay_panel(o, labels_of(o["labels"])), overlay_panel(o, labels_of(o["predicted"]))},
        kOverlayOptions);
    md << "![" << o["case"].string() << "](" << name << ")\n\n";
  }
  return md.str();
}

void write_segmentation_curves(const fs::path& path, const std::vector<const papers::FinishedRun*>& runs) {
  report::Plot plot{"Segmentation training (weighted cross-entropy)", "epoch", "loss", false, {}};
  for (const papers::FinishedRun* run : runs) {
    if (!run) continue;
    report::Series train{run->result["source"].string() + " training", {}, {}, {}, false, true, -1};
    report::Series held{run->result["source"].string() + " held-out", {}, {}, {}, true, true, -1};
    for (const papers::EpochRecord& e : papers::epoch_records_from_json(run->result["per_epoch"])) {
      train.x.push_back(e.epoch), train.y.push_back(e.train_loss);
      held.x.push_back(e.epoch), held.y.push_back(e.val_loss);
    }
    plot.series.push_back(train);
    plot.series.push_back(held);
  }
  report::write_svg(path.string(), plot);
}

std::string curves_section(const fs::path& out, const LearningCurves& curves, const Profile& profile) {
  std::ostringstream md, csv;
  md << "## Classification with very little data: Figure 5's analogue\n\n"
     << "Three classes (no tumour, glioma, meningioma); " << profile.counts.normals
     << " no-tumour training images in every set, the tumorous ones half glioma and half meningioma. Each "
        "repetition re-draws the training pool (sets of one repetition are nested) and a test set of the paper's "
        "mix ("
     << profile.counts.test_normals << " / " << profile.counts.test_glioma << " / " << profile.counts.test_meningioma
     << "), the same for the three frameworks. Mean ± sample SD over " << curves.repetitions
     << " repetitions; the last epoch is tested (no model selection).\n\n";
  csv << "measure,framework,tumorous,n,mean,sd,diverged\n";
  for (const std::string& measure : curve_measures()) {
    const bool kappa = measure == "kappa";
    md << "**" << measure_title(measure) << "**\n\n| Tumorous samples |";
    for (const Framework f : kFrameworks) md << " " << framework_title(f) << " |";
    md << "\n|---|---|---|---|\n";
    report::Plot plot{measure_title(measure) + " against training-set size", "tumorous training samples",
                      measure_title(measure), false, {}};
    if (!kappa) plot.y_min = 0, plot.y_max = 100;
    for (const Framework f : kFrameworks) plot.series.push_back({framework_title(f), {}, {}, {}, false, true, -1});
    for (size_t s = 0; s < curves.sizes.size(); ++s) {
      md << "| " << curves.sizes[s] << " |";
      for (size_t k = 0; k < 3; ++k) {
        const Framework f = kFrameworks[k];
        const report::Summary summary = curves.summary(measure, f, s);
        const size_t diverged = curves.diverged(f, s);
        md << " " << (summary.n ? report::format_summary(summary, kappa ? 3 : 1) : "–")
           << (diverged ? " (" + std::to_string(diverged) + " diverged)" : "") << " |";
        csv << measure << "," << framework_name(f) << "," << curves.sizes[s] << "," << summary.n << ","
            << (summary.n ? fixed(summary.mean, 4) : "") << "," << (summary.n > 1 ? fixed(summary.sd, 4) : "") << ","
            << diverged << "\n";
        if (summary.n) {
          plot.series[k].x.push_back(double(curves.sizes[s]));
          plot.series[k].y.push_back(summary.mean);
          plot.series[k].error.push_back(summary.n > 1 ? summary.sd : 0.0);
        }
      }
      md << "\n";
    }
    const std::string figure = "figures/" + measure + ".svg";
    report::write_svg((out / figure).string(), plot);
    md << "\n![" << measure_title(measure) << "](" << figure << ")\n\n";
  }
  report::write_file_atomically((out / "learning_curves.csv").string(), csv.str());
  return md.str();
}

struct ParameterRow {
  std::string network, paper;
  int64_t count = 0;
};

// The paper's cardiac configuration (128x128, n_s 16, N_s 17, nine classes, head n_c 16,
// n_FC 100, r 3), which its parameter counts describe, under both skip readings.
std::vector<ParameterRow> cardiac_parameter_counts() {
  std::vector<ParameterRow> rows;
  for (const SkipMode skip : {SkipMode::Additive, SkipMode::Concatenated}) {
    const std::string reading = skip == SkipMode::Additive ? " (A, additive skips)" : " (B, concatenated skips)";
    MNetOptions options;
    options.base_channels = 16;
    options.labels = 17;
    options.skip = skip;
    auto segmenter = std::make_unique<MNet>(options);
    const int64_t mnet = keras_parameter_count(*segmenter);
    HeadOptions head;
    head.in_channels = segmenter->feature_channels();
    head.input_extent = {128, 128};
    head.conv_channels = 16;
    head.repeats = 3;
    head.fc_units = 100;
    head.classes = 9;
    FeatureClassifier manual(std::move(segmenter), head);
    rows.push_back({"M-Net" + reading, "", mnet});
    rows.push_back({"MANUAL: M-Net + head" + reading, "~3M", keras_parameter_count(manual)});
  }
  ScratchOptions scratch;
  scratch.input_extent = {128, 128};
  scratch.conv_channels = 16;
  scratch.fc_units = 100;
  scratch.classes = 9;
  Scratch network(scratch);
  rows.push_back({"SCRATCH", "~1M", keras_parameter_count(network)});
  return rows;
}

std::string parameter_section(const Profile& profile, const std::vector<papers::FinishedRun>& runs,
                              std::vector<Claim>& claims) {
  std::ostringstream md;
  md << "## Parameter counts\n\nBuilt from the code at the paper's cardiac configuration (128×128, n_s 16, 17 "
        "labels, nine classes; head n_c 16, n_FC 100, r 3), counted as Keras counts them (batch norm's four numbers "
        "per channel included). The VGG framework (~17M) needs ImageNet VGG16 weights and is not built here.\n\n"
        "| Network | Paper | Built |\n|---|---|---|\n";
  Claim claim{"Parameter counts: ~3M for MANUAL, ~1M for SCRATCH",
              "within 25% of the paper's rounded figure; which skip reading matches says which network the "
              "paper counted",
              "", "", {}};
  for (const ParameterRow& row : cardiac_parameter_counts()) {
    md << "| " << row.network << " | " << (row.paper.empty() ? "–" : row.paper) << " | "
       << report::human_count(double(row.count)) << " (" << row.count << ") |\n";
    if (row.paper.empty()) continue;
    const double reported = row.paper == "~3M" ? 3e6 : 1e6;
    const bool close = std::abs(double(row.count) - reported) <= 0.25 * reported;
    claim.parts.push_back({row.network, "", close ? "holds" : "does not hold",
                           report::human_count(double(row.count)) + " against " + row.paper, {}});
  }
  claims.push_back(claim);
  md << "\nThis run's networks (" << profile.input_size << "×" << profile.input_size << ", n_s "
     << profile.segmentation_channels << "):";
  for (const auto& run : runs) {
    const Json& r = run.result;
    if (r["kind"].string() == "segmentation") {
      md << " " << r["source"].string() << " M-Net " << report::human_count(r["parameters"].number()) << ";";
    } else if (r["repetition"].number() == 1 && r["tumorous"].number() == double(profile.tumorous_sizes.front())) {
      md << " " << r["framework"].string() << " classifier, trained parameters "
         << report::human_count(r["trained_parameters"].number()) << ";";
    }
  }
  md << " the feature frameworks' M-Nets are frozen.\n\n";
  return md.str();
}

std::string plateau_section(const LearningCurves& curves) {
  if (curves.sizes.empty()) return "";
  const size_t largest = curves.sizes.size() - 1;
  const report::Summary accuracy = curves.summary("accuracy", Framework::Aseg, largest);
  const report::Summary kappa = curves.summary("kappa", Framework::Aseg, largest);
  std::ostringstream md;
  md << "The paper's MANUAL framework converges at 80 tumorous samples to 82% accuracy, kappa 0.67 (its task, its "
        "data); ASEG here at " << curves.sizes[largest] << ": "
     << (accuracy.n ? report::format_summary(accuracy, 1) + "%, kappa " + report::format_summary(kappa, 3) : "–")
     << ". Reported beside each other, not compared: another task on other images.\n\n";
  return md.str();
}

std::vector<report::Deviation> deviations(const Profile& profile) {
  const std::string size = std::to_string(profile.input_size);
  return {
      {"Segmentation data",
       "The paper trains on 21/22 MP-RAGE volumes with manual labels of 19 structures at 128³ (3D M-Net). Here one "
       "skull-stripped T1 (voxelmorph's test scan) with FreeSurfer's automatic aseg mapped to 16 of the structures "
       "(the vermal lobules have no aseg label): ASEG stands in for MANUAL; 2D slices along all three axes (the "
       "classification images mix orientations), " + size + "×" + size + ", Dice on held-out slabs of the same "
       "subject."},
      {"Classification data",
       "The paper's TCGA LGG/GBM volumes and MP-RAGE normals are not public. The Kaggle brain tumour MRI slices "
       "(deduplicated split) stand in: glioma for LGG and meningioma for glioblastoma are nominal pairings; no "
       "tumour is the direct analogue. The slices keep the skull and mix sequences: a larger domain gap to the "
       "segmentation images than the paper's."},
      {"Dimension and resolution",
       "2D networks at " + size + "×" + size + " (the paper's brain networks are 3D at 128³, n_s 12); M-Net n_s " +
       std::to_string(profile.segmentation_channels) + "."},
      {"Protocol size",
       "Tumorous sizes " + [&] {
         std::string s;
         for (size_t n : profile.tumorous_sizes) s += (s.empty() ? "" : ", ") + std::to_string(n);
         return s;
       }() + " (paper: 10 to 100 in steps of 10), " + std::to_string(profile.repetitions) +
       " repetitions (paper: 5), " + std::to_string(profile.segmentation_epochs) +
       " segmentation epochs (paper: 100), " + std::to_string(profile.classification_epochs) +
       " classification epochs (paper: 50)."},
      {"Unstated choices",
       "Skip connections read as additive (A); head channels constant; augmentation ranges ±15°, ±10% shift, zoom "
       "0.9-1.1, left-right flip, one transform per chosen image; CLAHE with skimage's defaults; Keras' batch-norm "
       "momentum and epsilon; Adam's defaults. The frozen M-Net runs in evaluation mode (Keras 2 normalised frozen "
       "batch-norm layers with batch statistics while training)."},
      {"Model selection",
       "None: the last epoch is tested. The paper's hyperparameters were tuned on its test results; none are "
       "tuned here."},
      {"VGG framework", "Not run: it needs ImageNet VGG16 weights, which are not available here."},
      {"Test sets", "Only the paper-mix test set (" +
                        std::to_string(profile.counts.test_normals + profile.counts.test_glioma +
                                       profile.counts.test_meningioma) +
                        " images per repetition) is scored; the full deduplicated test set is not, to keep the budget."},
  };
}

// Every run's settings, result (without the overlay pixels, which the figures hold) and metadata.
void write_run_json(const fs::path& path, const ReportInputs& in) {
  Json runs = Json::Array{};
  for (const auto& run : in.runs) {
    Json result = Json::Object{};
    for (const auto& [key, value] : run.result.object()) {
      if (key != "overlays" && key != "mricrop_overlays") result.set(key, value);
    }
    Json settings = Json::Object{};
    for (const auto& [key, value] : run.planned.settings) settings.set(key, value);
    runs.push(Json().set("id", run.planned.id).set("settings", settings).set("result", result).set("metadata",
                                                                                                    run.metadata));
  }
  Json().set("run", in.run_info.to_json()).set("runs", runs).save(path.string());
}

}  // namespace

void write_report(const fs::path& out, const ReportInputs& in) {
  fs::create_directories(out / "figures");
  const papers::FinishedRun* aseg = find_run(in.runs, segmentation_run_id(LabelSource::Aseg));
  const papers::FinishedRun* kmeans = find_run(in.runs, segmentation_run_id(LabelSource::KMeans));
  const LearningCurves curves = learning_curves(in.runs, in.profile);

  double training_seconds = 0;
  for (const auto& run : in.runs) training_seconds += run.result["train_seconds"].number();
  std::ostringstream md;
  md << "# Wong, Syeda-Mahmood & Moradi (2018), reproduced on a public analogue: classifiers from "
        "segmentation-network features with very little data\n\n"
     << "Generated by `papers/wong_segmentation_features`; nothing below was typed by hand. Every number comes from "
        "the runs described here, stored in `run.json` (each run's result and metadata).\n\n";
  report::RunHeader header;
  header.run = in.run_info;
  header.rows = {
      {"profile", in.profile.name + ": " + in.profile.why},
      {"seeds", "segmentation networks: 1 (weights, slices drawn, augmentation); repetition r: r for its training "
                "pool and test set, r × 1000 + the tumorous count for weights, batch order and augmentation, the same "
                "for the three frameworks"},
      {"segmentation data", "voxelmorph test scan (T1 + FreeSurfer aseg), t1 SHA-256 `" + in.brain_sha256 + "`"},
      {"classification data", "Kaggle Brain Tumor MRI, deduplicated split, SHA-256 `" + in.tumour_sha256 + "`"},
      {"segmentation training", "M-Net n_s " + std::to_string(in.profile.segmentation_channels) + ", Adam lr 1e-3, "
                                "batch " + std::to_string(in.profile.segmentation_batch) + ", " +
                                std::to_string(in.profile.segmentation_epochs) + " epochs, Eq. 2 label weights"},
      {"classification training", "Adam lr 1e-4, batch " + std::to_string(in.profile.classification_batch) + ", " +
                                  std::to_string(in.profile.classification_epochs) +
                                  " epochs, Eq. 2 class weights; head n_c 32, n_FC 200, r 4; SCRATCH n_c 16, n_FC 200"},
  };
  header.wall_seconds = in.wall_seconds;
  header.wall_detail = fixed(training_seconds, 0) + " s of training in its runs";
  header.provenance = in.provenance;
  md << report::render_run_header(header);

  Claim ranking;
  md << dice_section(aseg, kmeans, ranking);
  write_segmentation_curves(out / "figures" / "segmentation_loss.svg", {aseg, kmeans});
  md << "![segmentation training](figures/segmentation_loss.svg)\n\n";
  md << overlay_section(out, aseg, kmeans);
  md << curves_section(out, curves, in.profile);
  md << plateau_section(curves);

  std::vector<Claim> claims = judge_curve_claims(curves);
  claims.push_back(ranking);
  md << parameter_section(in.profile, in.runs, claims);
  md << "## Claims\n\nJudged by direction on the analogue, as the notes fix before any run: paired differences "
        "over repetitions (the frameworks share draws), 95% intervals of the mean.\n\n"
     << report::render_claims(claims) << "\n";
  std::vector<std::string> diverged;
  for (const auto& run : in.runs) {
    if (run.diverged()) diverged.push_back(run.planned.id + ": " + run.result["divergence"].string());
  }
  if (!diverged.empty()) {
    md << "## Diverged runs\n\n";
    for (const std::string& d : diverged) md << "- " << d << "\n";
    md << "\n";
  }
  md << "## Deviations from the paper\n\n" << report::render_deviations(deviations(in.profile));
  report::write_file_atomically((out / "report.md").string(), md.str());
  write_run_json(out / "run.json", in);
}

}  // namespace medrepro::wong
