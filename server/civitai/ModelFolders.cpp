#include "server/civitai/ModelFolders.h"

#include <QHash>

namespace nav::civitai {

std::optional<QString> folderForModelType(const QString &civitaiType) {
    static const QHash<QString, QString> folders{
        {QStringLiteral("Checkpoint"), QStringLiteral("Stable-diffusion")},
        {QStringLiteral("LORA"), QStringLiteral("Lora")},
        {QStringLiteral("LoCon"), QStringLiteral("Lora")},
        {QStringLiteral("DoRA"), QStringLiteral("Lora")},
        // The original writes embeddings to MODEL_DIR/../embeddings (Forge's default). Everything here stays
        // inside MODEL_DIR; point Forge's --embeddings-dir (or a symlink) at MODEL_DIR/embeddings.
        {QStringLiteral("TextualInversion"), QStringLiteral("embeddings")},
        {QStringLiteral("VAE"), QStringLiteral("VAE")},
        {QStringLiteral("Hypernetwork"), QStringLiteral("hypernetworks")},
        {QStringLiteral("Controlnet"), QStringLiteral("ControlNet")},
    };
    const auto it = folders.constFind(civitaiType);
    if (it == folders.constEnd())
        return std::nullopt;
    return *it;
}

} // namespace nav::civitai
