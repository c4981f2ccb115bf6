// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/compare_window.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <set>

#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "core/tags/tag_vocabulary.h"
#include "ui/analysis_controller.h"
#include "ui/probability_delegate.h"
#include "ui/timeline_plot.h"
#include "ui/track_views.h"

namespace tagscope::ui {

namespace {

std::vector<size_t> gridCells(const std::vector<std::pair<double, double>>& segments, double grid) {
    std::set<size_t> cells;
    for (const auto& [a, b] : segments)
        for (double t = std::floor(a / grid) * grid; t < b - 1e-9; t += grid) cells.insert(size_t(std::lround(t / grid)));
    return {cells.begin(), cells.end()};
}

QWidget* titled(QLabel* label, TrackViews* views, QWidget* parent) {
    auto* box = new QWidget(parent);
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    QFont bold = label->font();
    bold.setBold(true);
    label->setFont(bold);
    layout->addWidget(label);
    layout->addWidget(views, 1);
    return box;
}

} // namespace

double evidenceAgreement(const std::vector<std::pair<double, double>>& a, const std::vector<std::pair<double, double>>& b,
                         double gridSeconds) {
    const auto x = gridCells(a, gridSeconds);
    const auto y = gridCells(b, gridSeconds);
    if (x.empty() && y.empty()) return 1.0;
    std::vector<size_t> both;
    std::set_intersection(x.begin(), x.end(), y.begin(), y.end(), std::back_inserter(both));
    return double(both.size()) / double(x.size() + y.size() - both.size());
}

CompareWindow::CompareWindow(AnalysisController* primary, QWidget* parent)
    : QWidget(parent, Qt::Window), m_primary(primary), m_viewsA(new TrackViews(this)), m_viewsB(new TrackViews(this)),
      m_labelA(new QLabel(this)), m_labelB(new QLabel(this)), m_summary(new QLabel(this)), m_agreement(new QLabel(this)),
      m_table(new QTreeWidget(this)) {
    setWindowTitle(tr("Two models side by side — Tagscope"));
    auto* views = new QSplitter(Qt::Vertical, this);
    views->addWidget(titled(m_labelA, m_viewsA, views));
    views->addWidget(titled(m_labelB, m_viewsB, views));
    auto* side = new QWidget(this);
    auto* sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(4, 0, 0, 0);
    m_summary->setWordWrap(true);
    m_agreement->setWordWrap(true);
    m_table->setColumnCount(3);
    m_table->setHeaderLabels({tr("Tag (both models)"), tr("A"), tr("B")});
    m_table->setRootIsDecorated(false);
    m_table->setItemDelegateForColumn(1, new ProbabilityDelegate(m_table));
    m_table->setItemDelegateForColumn(2, new ProbabilityDelegate(m_table));
    m_table->header()->setStretchLastSection(false);
    m_table->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_table->header()->setSectionResizeMode(1, QHeaderView::Fixed);
    m_table->header()->setSectionResizeMode(2, QHeaderView::Fixed);
    m_table->header()->resizeSection(1, 64);
    m_table->header()->resizeSection(2, 64);
    sideLayout->addWidget(m_summary);
    sideLayout->addWidget(m_table, 1);
    sideLayout->addWidget(m_agreement);
    // NOTE: wide enough for group names ("drums & percussion (group)") beside both scores.
    side->setMinimumWidth(330);
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(views);
    split->addWidget(side);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(split);

    syncTimeAxis(m_viewsA, m_viewsB);
    syncTimeAxis(m_viewsB, m_viewsA);
    for (TrackViews* v : {m_viewsA, m_viewsB}) {
        connect(v->plot(), &TimelinePlot::seekRequested, this, &CompareWindow::seekRequested);
        connect(v->plot(), &QCustomPlot::afterReplot, this, &CompareWindow::alignDataAreas);
    }
    connect(m_table, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
        if (item) selectRow(m_table->indexOfTopLevelItem(item));
    });
    if (m_primary)
        connect(m_primary, &AnalysisController::explanationReady, this,
                [this](const analysis::TagExplanation& e) { takeExplanation(false, e); });
    m_summary->setText(tr("Choose a second model to compare with."));
}

CompareWindow::~CompareWindow() = default;

void CompareWindow::syncTimeAxis(TrackViews* from, TrackViews* to) {
    // NOTE: one time axis for both: zoom or pan in either view moves the other the same way.
    connect(from->plot(), &TimelinePlot::timeRangeChanged, this, [this, to](double a, double b) {
        if (m_syncing) return;
        m_syncing = true;
        to->plot()->setTimeRange(a, b);
        m_syncing = false;
    });
}

void CompareWindow::start(std::shared_ptr<const analysis::TrackAnalysis> a, const dsp::MelConfig& melA,
                          const QString& nameA, const cards::ModelCard& cardB, const QString& file) {
    m_a = std::move(a);
    m_melA = melA;
    m_nameA = nameA;
    m_file = file;
    m_nameB = QString::fromStdString(cardB.name.empty() ? cardB.id : cardB.name);
    m_labelA->setText(tr("A: %1").arg(m_nameA));
    m_labelB->setText(tr("B: %1 — analysing…").arg(m_nameB));
    m_viewsA->setAnalysis(m_a, melA);
    m_secondary = std::make_unique<AnalysisController>();
    const dsp::MelConfig melB = cardB.mel;
    connect(m_secondary.get(), &AnalysisController::modelReady, this, [this] { m_secondary->open(m_file); });
    connect(m_secondary.get(), &AnalysisController::modelFailed, this, [this](const QString& message) {
        m_labelB->setText(tr("B: %1 — cannot load the model: %2").arg(m_nameB, message));
    });
    connect(m_secondary.get(), &AnalysisController::failed, this, [this](const QString& message) {
        m_labelB->setText(tr("B: %1 — analysis failed: %2").arg(m_nameB, message));
    });
    connect(m_secondary.get(), &AnalysisController::analysisReady, this, [this, melB](const analysis::TrackAnalysis& r) {
        showAnalyses(m_a, m_melA, m_nameA, std::make_shared<const analysis::TrackAnalysis>(r), melB, m_nameB);
    });
    connect(m_secondary.get(), &AnalysisController::explanationReady, this,
            [this](const analysis::TagExplanation& e) { takeExplanation(true, e); });
    m_secondary->setModel(cardB);
}

void CompareWindow::alignDataAreas() {
    // NOTE: one time axis means one x per time in both views: the data areas start and end at
    // the same pixel, whatever the width of each model's tag labels. Margins only grow here, so
    // the second replot finds both equal and stops (showAnalyses() resets them).
    auto* a = m_viewsA->plot();
    auto* b = m_viewsB->plot();
    const auto [la, ra] = a->sideMargins();
    const auto [lb, rb] = b->sideMargins();
    const int left = std::max(la, lb), right = std::max(ra, rb);
    for (auto* p : {a, b}) {
        if (p->sideMargins() == std::pair{left, right}) continue;
        p->setMinimumSideMargins(left, right);
        p->replot(QCustomPlot::rpQueuedReplot);
    }
}

void CompareWindow::showAnalyses(std::shared_ptr<const analysis::TrackAnalysis> a, const dsp::MelConfig& melA,
                                 const QString& nameA, std::shared_ptr<const analysis::TrackAnalysis> b,
                                 const dsp::MelConfig& melB, const QString& nameB) {
    m_a = std::move(a);
    m_b = std::move(b);
    m_nameA = nameA;
    m_nameB = nameB;
    m_labelA->setText(tr("A: %1").arg(nameA));
    m_labelB->setText(tr("B: %1").arg(nameB));
    for (TrackViews* v : {m_viewsA, m_viewsB}) v->plot()->setMinimumSideMargins(0, 0);
    m_viewsA->setAnalysis(m_a, melA);
    m_viewsB->setAnalysis(m_b, melB);
    // NOTE: the same alignment as `tagscope-cli compare`: same concept name across vocabularies,
    // then every taxonomy group both analyses' hierarchies hold (max-pooled over its members).
    m_comparison = m_a && m_b ? analysis::compareAnalyses(*m_a, *m_b, nullptr, nullptr) : analysis::ModelComparison{};
    fillTable();
}

void CompareWindow::fillTable() {
    m_table->clear();
    m_row = -1;
    m_explanationA.reset();
    m_explanationB.reset();
    const auto memberNames = [](const analysis::TrackAnalysis& t, const std::vector<size_t>& tags) {
        const auto names = tags::displayTagNames(t.tagNames, t.vocabularyOfTag);
        QStringList out;
        for (size_t i : tags)
            if (i < names.size()) out << QString::fromStdString(names[i]);
        return out.join(QStringLiteral(", "));
    };
    for (const auto& row : rows()) {
        auto* item = new QTreeWidgetItem(m_table);
        const bool group = row.kind == "group";
        item->setText(0, group ? tr("%1 (group)").arg(QString::fromStdString(row.name)) : QString::fromStdString(row.name));
        if (group) {
            QFont italic = item->font(0);
            italic.setItalic(true);
            item->setFont(0, italic);
        }
        item->setToolTip(0, tr("A: %1\nB: %2").arg(memberNames(*m_a, row.tagsA), memberNames(*m_b, row.tagsB)));
        item->setData(1, ProbabilityDelegate::kProbabilityRole, double(row.scoreA));
        item->setData(2, ProbabilityDelegate::kProbabilityRole, double(row.scoreB));
    }
    const auto& rowsShown = rows();
    const auto groups = std::count_if(rowsShown.begin(), rowsShown.end(), [](const auto& r) { return r.kind == "group"; });
    m_summary->setText(rowsShown.empty()
                           ? tr("The two models share no tag: nothing to align.")
                           : tr("%1 tags and %2 taxonomy groups both models can express; rank correlation of "
                                "their scores %3.")
                                 .arg(qlonglong(rowsShown.size()) - qlonglong(groups))
                                 .arg(qlonglong(groups))
                                 .arg(m_comparison.rankCorrelation, 0, 'f', 2));
    m_agreement->setText(tr("Select a tag to see where each model hears it."));
}

bool CompareWindow::selectRow(int row) {
    if (row < 0 || size_t(row) >= rows().size()) return false;
    if (row == m_row) return true;
    m_row = row;
    m_explanationA.reset();
    m_explanationB.reset();
    if (m_table->currentItem() != m_table->topLevelItem(row)) m_table->setCurrentItem(m_table->topLevelItem(row));
    const auto& r = rows()[size_t(row)];
    m_viewsA->setExplanations({nullptr}, {});
    m_viewsB->setExplanations({nullptr}, {});
    if (m_primary) m_primary->requestExplanation(r.evidenceA);
    if (m_secondary) m_secondary->requestExplanation(r.evidenceB);
    updateAgreement();
    return true;
}

void CompareWindow::takeExplanation(bool modelB, const analysis::TagExplanation& e) {
    if (m_row < 0 || size_t(m_row) >= rows().size()) return;
    const auto& r = rows()[size_t(m_row)];
    if (e.tag != (modelB ? r.evidenceB : r.evidenceA)) return;
    auto shared = std::make_shared<const analysis::TagExplanation>(e);
    const auto& analysis = modelB ? m_b : m_a;
    const auto names = analysis ? tags::displayTagNames(analysis->tagNames, analysis->vocabularyOfTag)
                                : std::vector<std::string>{};
    const std::string name = e.tag < names.size() ? names[e.tag] : e.tagName;
    (modelB ? m_viewsB : m_viewsA)->setExplanations({shared}, {name});
    (modelB ? m_explanationB : m_explanationA) = shared;
    updateAgreement();
}

void CompareWindow::updateAgreement() {
    if (m_row < 0 || size_t(m_row) >= rows().size()) return;
    const auto& r = rows()[size_t(m_row)];
    QString text = tr("<b>%1</b>: A %2, B %3.").arg(QString::fromStdString(r.name).toHtmlEscaped())
                       .arg(double(r.scoreA), 0, 'f', 2)
                       .arg(double(r.scoreB), 0, 'f', 2);
    if (!m_explanationA || !m_explanationB) {
        text += tr(" Explaining with both models…");
    } else {
        const double overlap = evidenceAgreement(m_explanationA->evidenceSegments, m_explanationB->evidenceSegments);
        const QString verdict = overlap >= 0.5   ? tr("they hear it in the same passages")
                                : overlap >= 0.2 ? tr("their evidence partly agrees")
                                                 : tr("they hear it in different passages");
        text += tr(" Evidence overlap %1%: %2.").arg(std::lround(overlap * 100)).arg(verdict);
    }
    m_agreement->setText(text);
}

QString CompareWindow::agreementText() const { return m_agreement->text(); }

void CompareWindow::setPlayhead(double seconds) {
    m_viewsA->plot()->setPlayhead(seconds);
    m_viewsB->plot()->setPlayhead(seconds);
}

} // namespace tagscope::ui
