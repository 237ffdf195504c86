#include "core/nn/module.h"

namespace medrepro::nn {

Parameter& Module::add_parameter(const std::string& name, Tensor value, float lr_mult, float decay_mult) {
  value.set_requires_grad(true);
  parameters_.emplace_back(name, std::make_unique<Parameter>(Parameter{name, std::move(value), lr_mult, decay_mult}));
  return *parameters_.back().second;
}

void Module::collect(const std::string& prefix, std::vector<Parameter*>& out) {
  for (auto& [short_name, p] : parameters_) {
    p->name = prefix + short_name;
    out.push_back(p.get());
  }
  for (auto& [name, child] : children_) child->collect(prefix + name + ".", out);
}

std::vector<Parameter*> Module::parameters() {
  std::vector<Parameter*> out;
  collect("", out);
  return out;
}

void Module::collect_buffers(const std::string& prefix, std::vector<std::pair<std::string, Tensor>>& out) {
  for (const auto& [name, value] : buffers_) out.emplace_back(prefix + name, value);
  for (auto& [name, child] : children_) child->collect_buffers(prefix + name + ".", out);
}

std::vector<std::pair<std::string, Tensor>> Module::buffers() {
  std::vector<std::pair<std::string, Tensor>> out;
  collect_buffers("", out);
  return out;
}

int64_t Module::parameter_count() {
  int64_t count = 0;
  for (Parameter* p : parameters()) count += p->value.numel();
  return count;
}

void Module::zero_grad() {
  for (Parameter* p : parameters()) p->value.zero_grad();
}

void Module::set_training_step(int64_t step) {
  for (auto& [name, child] : children_) child->set_training_step(step);
}

void Module::train(bool training) {
  training_asked_ = training;
  training_ = training && !frozen_;
  for (auto& [name, child] : children_) child->train(training_);
}

void Module::freeze(bool frozen) {
  frozen_ = frozen;
  for (Parameter* p : parameters()) p->value.set_requires_grad(!frozen);
  train(training_asked_);
}

std::vector<Parameter*> Module::trainable_parameters() {
  std::vector<Parameter*> out;
  for (Parameter* p : parameters()) {
    if (p->value.requires_grad()) out.push_back(p);
  }
  return out;
}

}  // namespace medrepro::nn
