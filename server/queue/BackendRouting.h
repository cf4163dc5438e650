#pragma once
// With several Forge backends, the per-Forge lookups (models, samplers, LoRAs, upscalers, options, png-info)
// go to one backend that is up: the lookup client is pointed at another backend whenever its own goes down,
// and /api/models lists the union of every backend's checkpoints.
#include "server/forge/ForgeCatalog.h"
#include "server/queue/JobQueue.h"

namespace nav::queue {

void followUpBackend(JobQueue &queue, forge::ForgeClient &lookup, forge::ForgeCatalog &catalog);

} // namespace nav::queue
