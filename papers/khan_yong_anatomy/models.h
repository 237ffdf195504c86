#pragma once
// The four networks Khan & Yong compare, built for square greyscale inputs of
// any size the layer arithmetic allows (64x64 on the CPU profile, the models'
// native 28/227/224 on the paper profile).
#include <memory>
#include <string>
#include <vector>

#include "core/nn/layers.h"
#include "papers/common/classifier_training.h"
#include "papers/common/model_summary.h"

namespace khan_yong {

using medrepro::Shape;
using medrepro::Tensor;
namespace nn = medrepro::nn;

// The paper states neither input scaling nor initialisation; the report runs
// Table II under both of these readings.
//  - Digits (primary): each network as NVIDIA DIGITS' standard networks define
//    it, which the paper's figures suggest it used: Xavier (LeNet, GoogLeNet) or
//    Gaussian 0.01/0.005 (AlexNet, and the proposed CNN built from it) fillers
//    with the reference biases, on raw 0..255 pixels minus the training mean
//    (LeNet: scaled by 0.0125, DIGITS' 1/(standard deviation)).
//  - UnitHe: pixels scaled to [0, 1]; He-normal for every layer a ReLU follows,
//    Xavier for the classifiers, zero biases.
enum class Reading { Digits, UnitHe };
std::string reading_name(Reading reading);         // "digits", "unit_he"
Reading reading_from_name(const std::string& name);
std::string describe(Reading reading);             // a sentence for the report

// A classifier whose final-classifier path is one Sequential, so it can be
// summarised layer by layer.
class SequentialClassifier : public medrepro::papers::Classifier {
 public:
  Tensor forward(const Tensor& x) override { return body().forward(x); }
  virtual nn::Sequential& body() = 0;
};

// LeNet (LeCun et al. 1998) as in Caffe's and DIGITS' LeNet: conv 20@5x5,
// max-pool 2/2, conv 50@5x5, max-pool 2/2, fc 500 + ReLU, fc classes.
std::unique_ptr<SequentialClassifier> make_lenet(int input_size, int classes, uint64_t seed, Reading reading);

// AlexNet (Krizhevsky et al. 2012) as in Caffe's bvlc_alexnet: five convolutions with
// ReLU, LRN after conv1 and conv2, overlapping max-pooling, fc6/fc7 of 4096 with
// dropout 0.5, fc8. Gaussian init (0.01, fc 0.005) and biases of bvlc_alexnet under
// the Digits reading.
std::unique_ptr<SequentialClassifier> make_alexnet(int input_size, int classes, uint64_t seed, Reading reading);

// The proposed CNN (Table I): conv1 96@11x11/4 + LRN, max-pool 3/2, conv2 256@5x5/2,
// conv3 384@3x3/2, conv4 256@3x3/2, fc5 4096 + ReLU (no dropout), fc6 classes.
std::unique_ptr<SequentialClassifier> make_proposed_cnn(int input_size, int classes, uint64_t seed, Reading reading);

// GoogLeNet (Szegedy et al. 2015), nine inception modules, with its two
// auxiliary classifiers (after 4a and 4d, loss weight 0.3) during training;
// accuracy is read from the final classifier.
std::unique_ptr<SequentialClassifier> make_googlenet(int input_size, int classes, uint64_t seed, Reading reading);

std::unique_ptr<SequentialClassifier> make_model(const std::string& name, int input_size, int classes,
                                                 uint64_t seed, Reading reading);
// How the paper names it.
std::string display_name(const std::string& model);

// One row per layer of the body: output shape per image, parameters, forward
// FLOPs per image of convolutions and fully connected layers.
using LayerSummary = medrepro::report::LayerRow;
std::vector<LayerSummary> summarize(SequentialClassifier& model, int input_size);

}  // namespace khan_yong
