# Checks the structure of a Wong et al. report directory (REPORT).
foreach(file report.md run.json learning_curves.csv figures/accuracy.svg figures/kappa.svg figures/f1_no_tumour.svg
        figures/f1_glioma.svg figures/f1_meningioma.svg figures/segmentation_loss.svg
        runs/segment_aseg/mnet.ckpt runs/segment_kmeans/mnet.ckpt)
  if(NOT EXISTS ${REPORT}/${file})
    message(FATAL_ERROR "report is missing ${file}")
  endif()
endforeach()
file(GLOB overlays ${REPORT}/figures/overlay_axis*.png ${REPORT}/figures/overlay_mricrop_axis*.png)
list(LENGTH overlays count)
if(NOT count EQUAL 6)
  message(FATAL_ERROR "expected 6 overlay figures (held-out and MRIcrop, one per orientation), found ${count}")
endif()
file(READ ${REPORT}/report.md report)
foreach(part "## The run" "| commit |" "| seeds |" "SHA-256" "## Segmentation: Dice beside Table 1" "| cerebral grey | 83% |"
        "| 4th ventricle | 75% |" "MRIcrop (manual)" "KMEANS network" "## Classification with very little data" "Cohen's kappa"
        "F1 meningioma" "## Parameter counts" "(A, additive skips)" "(B, concatenated skips)" "| SCRATCH | ~1M |"
        "## Claims" "beat SCRATCH with the fewest" "converge" "spread more" "slightly beats THRESHOLD"
        "Large structures" "## Deviations from the paper")
  string(FIND "${report}" "${part}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "report.md lacks '${part}'")
  endif()
endforeach()
