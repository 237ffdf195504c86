# Checks the structure of a Khan & Yong report directory (REPORT).
foreach(file report.md run.json table_ii.csv test_split.txt figures/fig13_learning_curve.svg
        figures/fig4_lenet_loss.svg figures/fig5_alexnet_loss.svg figures/fig6_googlenet_loss.svg
        figures/fig12_proposed_loss.svg figures/fig12_proposed_accuracy.svg
        figures/lenet_conv1_filters.png figures/googlenet_conv1_feature_maps.png
        predictions/lenet_seed1.csv predictions/proposed_seed2.csv predictions/alexnet_unit_he_seed2.csv)
  if(NOT EXISTS ${REPORT}/${file})
    message(FATAL_ERROR "report is missing ${file}")
  endif()
endforeach()
file(READ ${REPORT}/report.md report)
foreach(part "## The run" "| commit |" "| device |" "SHA-256" "## Table II" "| LeNet |" "| AlexNet |"
        "| GoogLeNet |" "| Proposed CNN |" "## The paper's claims" "(1) The proposed CNN" "(3) The milestone"
        "(4) Accuracy grows" "## Sensitivity to the unstated choices" "| (1) proposed best |"
        "depends on the reading" "## Diverged runs" "## The models" "## Figures" "## Deviations from the paper")
  string(FIND "${report}" "${part}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "report.md lacks '${part}'")
  endif()
endforeach()
file(STRINGS ${REPORT}/table_ii.csv rows)
list(LENGTH rows count)
if(NOT count EQUAL 5)
  message(FATAL_ERROR "table_ii.csv has ${count} lines, expected a header and 4 models")
endif()
file(STRINGS ${REPORT}/predictions/lenet_seed1.csv predictions)
list(LENGTH predictions count)
if(count LESS 2)
  message(FATAL_ERROR "predictions/lenet_seed1.csv is empty")
endif()
