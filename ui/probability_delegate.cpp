// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/probability_delegate.h"

#include <algorithm>

#include <QApplication>
#include <QPainter>

namespace tagscope::ui {

void ProbabilityDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const {
    const QVariant v = index.data(kProbabilityRole);
    if (!v.isValid()) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    QApplication::style()->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);
    const double p = std::clamp(v.toDouble(), 0.0, 1.0);
    const QRect area = option.rect.adjusted(3, 3, -3, -3);
    QRect bar = area;
    bar.setWidth(int(area.width() * p));
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing, true);
    painter->setPen(Qt::NoPen);
    painter->setBrush(QColor(230, 230, 230));
    painter->drawRoundedRect(area, 2, 2);
    painter->setBrush(QColor::fromHsvF(0.08 + 0.25 * (1.0 - p), 0.75, 0.9));
    painter->drawRoundedRect(bar, 2, 2);
    painter->setPen(QColor(20, 20, 20));
    painter->drawText(area.adjusted(4, 0, -2, 0), Qt::AlignVCenter | Qt::AlignLeft, QString::number(p, 'f', 3));
    painter->restore();
}

} // namespace tagscope::ui
