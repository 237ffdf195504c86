#pragma once
// Modules: the layers a model is built from. A module owns its parameters and
// child modules by name, so a model can list them for the optimiser and the
// checkpoint ("features.0.weight"), and switch between training and evaluation.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace medrepro::nn {

struct Parameter {
  std::string name;  // full dotted path once listed by Module::parameters()
  Tensor value;
  // Caffe-style per-parameter multipliers of the learning rate and weight decay
  // (Caffe nets commonly use lr_mult 2, decay_mult 0 for biases).
  float lr_mult = 1.0f;
  float decay_mult = 1.0f;
};

class Module {
 public:
  virtual ~Module() = default;
  Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  virtual Tensor forward(const Tensor& x) = 0;
  // One line for model summaries, e.g. "Conv2d 1->96 11x11/4 pad 0".
  virtual std::string describe() const { return "Module"; }
  Tensor operator()(const Tensor& x) { return forward(x); }

  // Every parameter of this module and its children, named by dotted path.
  std::vector<Parameter*> parameters();
  // State that is not learned by gradient but belongs in a checkpoint (batch
  // norm's running statistics), named by dotted path like parameters.
  std::vector<std::pair<std::string, Tensor>> buffers();
  int64_t parameter_count();
  void zero_grad();

  // Modules with per-step randomness (dropout) draw it from (seed, step). The
  // step advances by itself with each training forward; a resumed run sets it
  // so that it draws what the uninterrupted run would have drawn.
  virtual void set_training_step(int64_t step);

  void train(bool training = true);
  void eval() { train(false); }
  bool training() const { return training_; }

  // A frozen module keeps its weights while the model around it trains: its
  // parameters take no gradient (backward stops at them), trainable_parameters()
  // leaves them out of the optimiser, and it stays in evaluation mode (batch norm
  // uses its running statistics, dropout passes through) whatever train() says.
  void freeze(bool frozen = true);
  bool frozen() const { return frozen_; }
  // The parameters an optimiser should update: those of modules not frozen.
  std::vector<Parameter*> trainable_parameters();

 protected:
  Parameter& add_parameter(const std::string& name, Tensor value, float lr_mult = 1.0f, float decay_mult = 1.0f);
  void add_buffer(const std::string& name, const Tensor& value) { buffers_.emplace_back(name, value); }
  template <class M>
  M& add_module(const std::string& name, std::unique_ptr<M> module) {
    M& ref = *module;
    children_.emplace_back(name, std::move(module));
    return ref;
  }
  const std::vector<std::pair<std::string, std::unique_ptr<Module>>>& children() const { return children_; }

 private:
  void collect(const std::string& prefix, std::vector<Parameter*>& out);
  void collect_buffers(const std::string& prefix, std::vector<std::pair<std::string, Tensor>>& out);

  std::vector<std::pair<std::string, std::unique_ptr<Parameter>>> parameters_;  // short name first
  std::vector<std::pair<std::string, Tensor>> buffers_;
  std::vector<std::pair<std::string, std::unique_ptr<Module>>> children_;
  bool training_ = true;
  bool training_asked_ = true;  // by the last train(): what an unfrozen module returns to
  bool frozen_ = false;
};

}  // namespace medrepro::nn
