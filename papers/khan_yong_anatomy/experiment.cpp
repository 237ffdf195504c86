#include "papers/khan_yong_anatomy/experiment.h"

namespace khan_yong {

using medrepro::report::Json;

std::string run_id(const std::string& model, Reading reading, int seed, size_t pool_size) {
  std::string id = model + "_seed" + std::to_string(seed) + "_pool" + std::to_string(pool_size);
  if (reading != Reading::Digits) id.append("_").append(reading_name(reading));
  return id;
}

Json run_to_json(const Run& run, bool with_predictions) {
  Json j;
  j.set("model", run.model).set("reading", reading_name(run.reading)).set("seed", run.seed).set("pool_size", uint64_t(run.pool_size));
  j.set("train_size", uint64_t(run.train_size)).set("val_size", uint64_t(run.val_size)).set("epochs", run.epochs);
  j.set("batch_size", uint64_t(run.batch_size));
  j.set("train_seconds", run.result.train_seconds).set("resumed", run.result.resumed);
  if (run.result.diverged_at_step) {
    j.set("diverged_at_step", *run.result.diverged_at_step).set("divergence", run.result.divergence);
  } else {
    j.set("test_loss", run.result.test.loss).set("test_accuracy", run.result.test.accuracy);
  }
  j.set("per_epoch", medrepro::papers::epoch_records_to_json(run.result.epochs));
  if (with_predictions) {
    Json predictions = Json::Array{};
    for (const auto& p : run.result.test.predictions) {
      predictions.push(Json()
                           .set("item", uint64_t(p.item))
                           .set("truth", p.truth)
                           .set("predicted", p.predicted)
                           .set("probabilities", Json::array_of(std::vector<double>(p.probabilities.begin(),
                                                                                    p.probabilities.end()))));
    }
    j.set("test_predictions", predictions);
  }
  return j;
}

Run run_from_json(const Json& j) {
  Run run;
  run.model = j["model"].string();
  run.reading = reading_from_name(j["reading"].string());
  run.seed = static_cast<int>(j["seed"].number());
  run.pool_size = static_cast<size_t>(j["pool_size"].number());
  run.train_size = static_cast<size_t>(j["train_size"].number());
  run.val_size = static_cast<size_t>(j["val_size"].number());
  run.epochs = static_cast<int>(j["epochs"].number());
  run.batch_size = static_cast<size_t>(j["batch_size"].number());
  run.result.train_seconds = j["train_seconds"].number();
  if (j.contains("diverged_at_step")) {
    run.result.diverged_at_step = static_cast<int64_t>(j["diverged_at_step"].number());
    run.result.divergence = j["divergence"].string();
  } else {
    run.result.test.loss = j["test_loss"].number();
    run.result.test.accuracy = j["test_accuracy"].number();
  }
  run.result.epochs = medrepro::papers::epoch_records_from_json(j["per_epoch"]);
  if (j.contains("test_predictions")) {
    for (const Json& p : j["test_predictions"].array()) {
      medrepro::papers::Prediction prediction;
      prediction.item = static_cast<size_t>(p["item"].number());
      prediction.truth = static_cast<int>(p["truth"].number());
      prediction.predicted = static_cast<int>(p["predicted"].number());
      for (const Json& v : p["probabilities"].array()) prediction.probabilities.push_back(static_cast<float>(v.number()));
      run.result.test.predictions.push_back(std::move(prediction));
    }
  }
  return run;
}

}  // namespace khan_yong
