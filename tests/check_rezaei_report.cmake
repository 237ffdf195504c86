# Checks the structure of a Rezaei et al. report directory (REPORT).
foreach(file report.md run.json table_1.csv table_2.csv test_split.txt predictions/seven_conv_l2svm_seed1.csv
        predictions/five_conv_l2svm_seed1.csv predictions/seven_conv_softmax_seed1.csv
        predictions/haar_pca_knn_binary.csv predictions/daub4_pca_svm_4way.csv)
  if(NOT EXISTS ${REPORT}/${file})
    message(FATAL_ERROR "report is missing ${file}")
  endif()
endforeach()
file(READ ${REPORT}/report.md report)
foreach(part "## The run" "| commit |" "| seeds |" "SHA-256" "## Table 1" "| Tumour vs none" "one-vs-rest macro"
        "Table 1 fits no standard reading" "must lie in [87%, 91%]" "= 0.988" "## Table 2"
        "| Wavelet (DAUB-4) + PCA + SVM-RBF (2) | 98.7 |" "| Wavelet (Haar) + PCA + KNN (2) | 98.6 |"
        "Settings chosen by cross-validation" "## Every classifier on the test set" "Per class"
        "## Claims" "(1) Table 1" "(2) The CNN beats the wavelet pipelines" "exact McNemar" "(3) Seven convolutions"
        "## What the split cannot rule out" "near" "## Models" "### 7-conv CNN" "### 5-conv CNN"
        "## Deviations from the paper" "**Scope.**")
  string(FIND "${report}" "${part}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "report.md lacks '${part}'")
  endif()
endforeach()
