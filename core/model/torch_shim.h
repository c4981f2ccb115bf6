// SPDX-License-Identifier: GPL-3.0-or-later
// The one include of torch for the whole project (also the precompiled header of
// tagscope_model). Only files under core/model include this.
#pragma once

#include <torch/torch.h>
