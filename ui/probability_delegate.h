// SPDX-License-Identifier: GPL-3.0-or-later
// Item delegate drawing a probability as a bar with its value.
#pragma once

#include <QStyledItemDelegate>

namespace tagscope::ui {

/// Paints the item's Qt::UserRole + 1 value (a probability in [0, 1]) as a horizontal bar with
/// the number on top; items without that value are painted normally. GUI thread.
class ProbabilityDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    /// The role holding the probability.
    static constexpr int kProbabilityRole = Qt::UserRole + 1;

    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

} // namespace tagscope::ui
