"""The E資格 (2024 syllabus) topics: keys, question folders, names and keywords."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    key: str
    folder: str
    name: str
    keywords: str


TOPICS: dict[str, Topic] = {
    t.key: t
    for t in (
        Topic("3-1", "03-1_forward", "順伝播型ネットワーク", "MLP, 活性化関数, 出力層と損失関数, 誤差逆伝播, 計算グラフ, 連鎖律"),
        Topic("3-2", "03-2_optimization", "深層モデルのための最適化", "SGD, ミニバッチ, モメンタム, AdaGrad, RMSProp, Adam, 初期化, 勾配消失"),
        Topic("3-3", "03-3_regularization", "深層モデルのための正則化", "L1/L2, 荷重減衰, ドロップアウト, データ拡張, 早期終了"),
        Topic("3-4", "03-4_cnn", "畳み込みニューラルネットワーク", "畳み込み, パディング, ストライド, プーリング, im2col, depthwise, dilated, 転置畳み込み"),
        Topic("3-5", "03-5_rnn", "リカレントニューラルネットワーク", "RNN, BPTT, 勾配クリッピング, LSTM, GRU, 双方向 RNN, seq2seq"),
        Topic("3-6", "03-6_transformer", "Transformer", "self-attention, scaled dot-product, マスク, multi-head, 位置エンコーディング, LayerNorm"),
        Topic("3-7", "03-7_generalization", "汎化性能向上のためのテクニック", "正規化 (Batch/Layer/Instance/Group), Mixup, CutMix, アンサンブル, ハイパーパラメータ探索"),
        Topic("4-1", "04-1_image_recognition", "画像認識", "AlexNet, VGG, GoogLeNet, ResNet, MobileNet, EfficientNet, ViT"),
        Topic("4-2", "04-2_object_detection", "物体検出", "R-CNN 系, YOLO, SSD, IoU, NMS, mAP"),
        Topic("4-3", "04-3_segmentation", "セマンティックセグメンテーション", "FCN, U-Net, DeepLab, 転置畳み込み"),
        Topic("4-4", "04-4_nlp", "自然言語処理", "word2vec, seq2seq, BERT, GPT"),
        Topic("4-5", "04-5_speech", "音声処理", "WaveNet, CTC, スペクトログラム, MFCC"),
        Topic("4-6", "04-6_generative", "生成モデル", "VAE, GAN, 拡散モデル"),
        Topic("4-7", "04-7_reinforcement", "深層強化学習", "DQN, 方策勾配, Actor-Critic, AlphaGo"),
        Topic("4-8", "04-8_learning_methods", "様々な学習方法", "転移学習, 半教師あり・自己教師あり学習, 距離学習, メタ学習"),
        Topic("4-9", "04-9_explainability", "深層学習の説明性", "CAM, Grad-CAM, Integrated Gradients, LIME, SHAP"),
        Topic("5", "05_deployment", "開発・運用環境", "量子化, 蒸留, プルーニング, データ並列・モデル並列, GPU/TPU"),
    )
}
_FOLDER = re.compile(r"^\d\d(-\d)?_")


def topic_name(key: str) -> str:
    topic = TOPICS.get(key)
    return topic.name if topic else key


def folder_mismatch(folder: str, key: str) -> str | None:
    """A message when a syllabus-numbered folder holds a question of another topic."""
    if not _FOLDER.match(folder):
        return None  # private banks may name folders freely
    expected = TOPICS.get(key)
    owner = next((t for t in TOPICS.values() if t.folder == folder), None)
    if owner and owner.key != key:
        where = f"; it belongs in {expected.folder}/" if expected else ""
        return f"topic {key} is in folder {folder}/, which holds topic {owner.key}{where}"
    return None
