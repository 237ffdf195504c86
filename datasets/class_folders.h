#pragma once
// Loads an image classification set laid out as <root>/<Class>/<file>.{jpeg,jpg,png},
// from a .tar.gz/.tar archive (streamed, one pass) or from a folder on disk.
// Class names are the folder names, sorted bytewise (so "CXR" < "ChestCT");
// within a class files are taken in sorted name order. Hidden files (".*")
// and other extensions are ignored; deeper folders are ignored.
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "datasets/image.h"

namespace medrepro::datasets {

struct ClassFolderOptions {
  std::string dataset = "images";    // name used in messages and recorded in ImageSet::dataset
  std::string root;                  // path inside the archive or folder that holds the class folders
                                     // ("MedNIST", "BrainTumorMRI/Training"; "" = the top level)
  std::vector<std::string> classes;  // load only these (any order; labels follow sorted order); empty = all
  size_t max_per_class = 0;          // load only the first K files per class in sorted name order; 0 = all
};

// Every image must decode and have the size of the first one; an unknown class
// in `classes`, a class folder without images, no images at all, an
// undecodable image, or a truncated/corrupt archive are medrepro::Errors.
// Provenance: for an archive, ImageSet::sha256 is the SHA-256 of the archive
// file (computed in the same pass); for a folder it is the SHA-256 of the
// manifest of the loaded files, one line "<sha256 of file>  <Class>/<file>\n"
// per image in label, then file order.
ImageSet load_class_folders(const std::filesystem::path& source, const ClassFolderOptions& options);

}  // namespace medrepro::datasets
