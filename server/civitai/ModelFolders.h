#pragma once
// Where Forge expects each CivitAI model type, relative to MODEL_DIR (Forge's models folder).
#include <QString>

#include <optional>

namespace nav::civitai {

// The sub-folder for a CivitAI model type ("Checkpoint", "LORA", "TextualInversion", "VAE", ...), or
// nullopt when Forge cannot use that type.
std::optional<QString> folderForModelType(const QString &civitaiType);

} // namespace nav::civitai
