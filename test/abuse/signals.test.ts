import { emptyCounts, learn, modelOf, spamEvidence, spamProbability } from '../../server/abuse/bayes';
import { contactDetails, featuresOf, linkDomains, shapesOf } from '../../server/abuse/features';
import { assess } from '../../server/abuse/assess';
import { contactSignal } from '../../server/abuse/signals/contact';
import { combine, isTrusted } from '../../server/abuse/risk';
import { labelOf, othersWithSameText } from '../../server/abuse/abuse.service';
import { classifierSignal, HOLD_FROM, LEARNT_ENOUGH, SPAM_FROM, YOUNG_UNTIL, youngMargin } from '../../server/abuse/signals/classifier';
import { basePart } from '../../server/abuse/base-model';
import { nearDuplicateSignal } from '../../server/abuse/signals/near-duplicate';
import { noProofSignal } from '../../server/abuse/signals/no-proof';
import { spamDomainSignal } from '../../server/abuse/signals/spam-domains';
import { speedSignal } from '../../server/abuse/signals/speed';
import { distance, isNear, simhash } from '../../server/abuse/simhash';
import { risk } from '../../server/moderation/pipeline/risk';
import { ruleInput } from '../moderation/pipeline/input';

describe('features', () => {
  it('reads look-alike letters, digits as letters, accents and markup as the same word', () => {
    const plain = featuresOf('cheap viagra here');
    for (const disguised of ['ch3ap V1agra here', 'сheap viаgra here', 'chéap <b>via</b>gra here']) {
      expect(featuresOf(disguised)).toEqual(expect.arrayContaining(['cheap', 'viagra']));
    }
    expect(plain).toEqual(expect.arrayContaining(['cheap_viagra', '#viag']));
  });

  it('finds link domains written as URLs or bare, not e-mail addresses', () => {
    expect(linkDomains('see https://www.shop.pills-direct.online/x and cash-now.xyz, mail me at a@b.com').sort()).toEqual(['cash-now.xyz', 'pills-direct.online']);
    expect(featuresOf('go to http://spam.example.com now')).toContain('d:example.com');
  });
});

describe('shapes', () => {
  it('marks text in another script or a garbled charset, which its words cannot tell', () => {
    expect(shapesOf('您還在用 20 % 的信用卡嗎，零利率代償時代來臨')).toContain('s:nonlatin3');
    expect(shapesOf('Caf\uFFFD \uFFFD\uFFFD\uFFFD\uFFFD \uFFFD\uFFFD\uFFFD special offer \uFFFD\uFFFD\uFFFD')).toContain('s:garbled3');
    const plain = shapesOf('The council will vote on the bridge repairs next week.');
    expect(plain).toEqual(expect.arrayContaining(['s:nonlatin0', 's:garbled0', 's:base640', 's:caps0']));
  });

  it('marks encoding debris, shouting and repeated punctuation', () => {
    expect(shapesOf('VzUzNzlYQ2xrOC02bDQy click <b>here</b> =3D &nbsp;')).toEqual(expect.arrayContaining(['s:base641', 's:tag', 's:qp', 's:entity']));
    expect(shapesOf('BUY NOW!!! ONLY $9.99, 90% OFF, $$$ SAVE BIG!!!')).toEqual(expect.arrayContaining(['s:caps4', 's:repeat1']));
  });

  it('does not count figures or prices: genuine comments quote them as often as spam', () => {
    const features = featuresOf('My rent went from £950 to £1,200 a month in 2023, up 26 %.');
    expect(features.filter((f) => /^s:(prices|digits|money)/.test(f))).toEqual([]);
  });

  it('counts how a text opens: a greeting a campaign uses is learnt as its own feature', () => {
    expect(featuresOf('Hello dear, I am a widow with money to transfer')).toEqual(expect.arrayContaining(['^hello', '^hello_dear']));
  });
});

describe('contact details', () => {
  it('finds a phone number, an e-mail address or a messenger handle, as written in English and French', () => {
    expect(contactDetails('Contact her on WhatsApp +44 7700 900123')).toEqual(['phone']);
    expect(contactDetails('contactez mon conseiller au 06 12 34 56 78.')).toEqual(['phone']);
    expect(contactDetails('call the support line +1 888 555 0199, available 24 hours')).toEqual(['phone']);
    expect(contactDetails('Message him on Telegram @jamescarterfx')).toEqual(['messenger']);
    expect(contactDetails('écrivez à recuperation-fonds@mail.example')).toEqual(['email']);
  });

  it('leaves figures, prices, dates, years and handles with no messenger alone', () => {
    for (const text of [
      'My rent went from £950 to £1,200 a month in 2023, up 26 %.',
      "J'ai été licencié en 2019 avec une prime de 15 000 €",
      'The fine was 1 200 000 euros, against 67 000 000 people',
      'Between 2001-2009 and 1990 – 1995 nothing changed',
      'le 12/03/2024 à 14:30',
      '1,234,567,890 users and $12,000,000 in fines',
      'Follow @bbcnews for the results',
    ]) expect([text, contactDetails(text)]).toEqual([text, []]);
  });

  it('speaks only where this site’s moderators marked such comments as spam, and holds without sending to spam', () => {
    expect(contactSignal(['phone'], undefined)).toBeNull();
    expect(contactSignal(['phone'], { spam: 2, ham: 0 })).toBeNull();
    // Readers here share addresses in genuine comments: the counts lean genuine, the signal is quiet.
    expect(contactSignal(['email'], { spam: 6, ham: 4 })).toBeNull();
    expect(contactSignal([], { spam: 6, ham: 0 })).toBeNull();
    const signal = contactSignal(['phone', 'email'], { spam: 4, ham: 0 })!;
    expect(signal).toMatchObject({ code: 'contact', detail: 'gives a phone number and an e-mail address; 4 comments with contact details were marked as spam here, none approved' });
    expect(signal.weight).toBeGreaterThanOrEqual(0.6);
    expect(signal.weight).toBeLessThan(0.9);
  });

  it('holds a forex mentor’s WhatsApp number once moderators marked three such comments as spam', () => {
    const counts = emptyCounts();
    for (const text of [
      'Thanks for the article. Contact my recovery expert on WhatsApp +1 555 0100 today',
      'Le meilleur conseiller en crypto, écrivez-lui : conseil-crypto@mail.example',
      'Great read. Mr Carter doubled my savings, reach him on Telegram @cartertrades',
    ])
      learn(counts, featuresOf(text), 'spam');
    for (let i = 0; i < 10; i++) learn(counts, featuresOf(`The council delayed the bridge vote again, the ${i}th time this year`), 'ham');
    const facts = { model: modelOf(counts), learnt: 13, nearDuplicates: 0, windowHours: 24, speed: null, proof: 'valid' as const };
    const risk = assess({ ...facts, text: 'Nice story. My uncle made money with a trader, ask him on WhatsApp +44 7700 900123' });
    expect(risk.reasons.map((r) => r.code)).toContain('contact');
    expect(risk.score).toBeGreaterThanOrEqual(0.6);
    expect(assess({ ...facts, text: 'Nice story. My uncle lost money with a trader last year.' }).reasons.map((r) => r.code)).not.toContain('contact');
  });
});

describe('the classifier', () => {
  it('learns from decisions and forgets one taken back', () => {
    const counts = emptyCounts();
    for (let i = 0; i < 5; i++) learn(counts, featuresOf(`cheap pills online number ${i} http://pills-${i}.xyz`), 'spam');
    for (let i = 0; i < 5; i++) learn(counts, featuresOf(`the council vote on the bridge repairs was delayed again ${i}`), 'ham');
    const model = modelOf(counts);
    expect(spamProbability(model, featuresOf('cheap pills online'))).toBeGreaterThan(0.9);
    expect(spamProbability(model, featuresOf('the council delayed the vote'))).toBeLessThan(0.1);
    // Words it never saw say nothing.
    expect(spamProbability(model, featuresOf('zygomorphic quux'))).toBe(0.5);
    const spamBefore = counts.spamDocs;
    learn(counts, featuresOf('cheap pills online number 0 http://pills-0.xyz'), 'spam', -1);
    expect(counts.spamDocs).toBe(spamBefore - 1);
  });

  it('does not hold a short comment on a word or two that spam also uses: too little evidence', () => {
    const counts = emptyCounts();
    // "please" and "story" turn up in spam more often than not, but in genuine comments too.
    for (let i = 0; i < 20; i++) learn(counts, featuresOf(`${i < 6 ? 'please ' : ''}${i < 1 ? 'story ' : ''}order cheap pills online today, free delivery, offer ${i}`), 'spam');
    for (let i = 0; i < 20; i++) learn(counts, featuresOf(`${i < 4 ? 'please ' : ''}${i < 1 ? 'story ' : ''}the council vote on the bridge repairs was delayed again, report ${i}`), 'ham');
    const model = modelOf(counts);
    const short = featuresOf('Please, more on this story.');
    // The evidence test stays unsure, so even a classifier sure of spam would give no signal.
    expect(spamEvidence(model, short)).toBeLessThanOrEqual(0.5);
    expect(classifierSignal(0.95, spamEvidence(model, short))).toBeNull();
    expect(classifierSignal(spamProbability(model, short), spamEvidence(model, short))).toBeNull();
    // Nor does a short comment whose only clue is one word that spam uses a lot.
    expect(classifierSignal(0.95, spamEvidence(model, featuresOf('Approved, thanks')))).toBeNull();
    // Many consistent clues are evidence: the spam text is held.
    const spam = featuresOf('cheap pills online today, free delivery offer');
    expect(spamEvidence(model, spam)).toBeGreaterThan(0.9);
    expect(classifierSignal(spamProbability(model, spam), spamEvidence(model, spam))!.weight).toBeGreaterThan(0.6);
  });

  it('holds a text alone only when its probability and the evidence test agree enough', () => {
    // Sure by probability, but the evidence test cannot tell: nothing.
    expect(classifierSignal(0.99, 0.5)).toBeNull();
    // Their mean at HOLD_FROM weighs the default holdAt (0.6): held.
    expect(classifierSignal(0.92, 2 * HOLD_FROM - 0.92)!.weight).toBeCloseTo(0.6, 3);
    // At SPAM_FROM, the default spamAt (0.9): sent to spam.
    expect(classifierSignal(0.95, 2 * SPAM_FROM - 0.95)!.weight).toBeCloseTo(0.9, 3);
    // A little below HOLD_FROM: a reason shown to moderators, not a hold alone.
    const weak = classifierSignal(0.9, 0.52)!;
    expect(weak.weight).toBeGreaterThan(0);
    expect(weak.weight).toBeLessThan(0.6);
    // A probability below 0.9 says nothing however the evidence test leans: genuine comments that
    // quote figures or a link reach 0.7–0.9.
    expect(classifierSignal(0.85, 0.8)).toBeNull();
  });

  it('on a site that has taught it little, counts the shipped model only on clear evidence', () => {
    // A short comment leaning a little to spam by the mail it learnt from ("today"): nothing yet.
    expect(classifierSignal(0.75, 0.61, 3)).toBeNull();
    // Opinions that lean a little once the site has taught it: a reason for moderators, not a hold alone.
    expect(classifierSignal(0.9, 0.55, 20)?.weight ?? 0).toBeLessThan(0.6);
    expect(classifierSignal(0.99, 0.95, 3)!.weight).toBe(0.45);
  });

  it('does not learn a language as spam from its short function words', () => {
    // A site whose spam came in French and whose readers mostly write English.
    const counts = emptyCounts();
    const spam = [
      'Gagnez de l argent en ligne avec notre méthode secrète',
      'Investissez en bitcoin de suite, profits garantis en un mois',
      'Crédit rapide en ligne sans justificatif, réponse de suite',
      'Rencontres en ligne près de chez vous, inscription gratuite',
    ];
    const genuine = [
      'The council should publish the whole report before the vote',
      'I think the minister is wrong about the figures in this story',
      'Great reporting, thanks for following this up after a year',
      'My town had the same problem with the water plant in 2019',
    ];
    for (let i = 0; i < 5; i++) for (const t of spam) learn(counts, featuresOf(`${t} ${i}`), 'spam');
    for (let i = 0; i < 5; i++) for (const t of genuine) learn(counts, featuresOf(`${t} ${i}`), 'ham');
    expect(featuresOf('le maire en a parlé')).not.toEqual(expect.arrayContaining(['en']));
    expect(featuresOf('le maire en a parlé')).toEqual(expect.arrayContaining(['maire_en', 'en_parle']));
    const model = modelOf(counts);
    const reader = featuresOf('Le maire en a parlé au conseil de mardi, rien de neuf');
    expect(classifierSignal(spamProbability(model, reader), spamEvidence(model, reader))).toBeNull();
    const campaign = featuresOf('Gagnez de l argent en ligne, méthode secrète, profits garantis');
    expect(classifierSignal(spamProbability(model, campaign), spamEvidence(model, campaign))!.weight).toBeGreaterThanOrEqual(0.6);
  });

  it('learns comments written without spaces (Chinese, Japanese) from pairs of characters', () => {
    expect(featuresOf('免费领取')).toEqual(expect.arrayContaining(['免费', '费领', '领取', '免费_费领']));
    // Characters outside the Basic Multilingual Plane are paired whole, never split in halves.
    expect(featuresOf('𠀋𠀌𠀍').filter((f) => !f.startsWith('s:') && !f.startsWith('^'))).toEqual(['𠀋𠀌', '𠀌𠀍', '𠀋𠀌_𠀌𠀍']);
    // Latin words inside the run stay words of their own.
    expect(featuresOf('加微信wifi领取')).toEqual(expect.arrayContaining(['加微', '微信', 'wifi', '领取']));
    const counts = emptyCounts();
    const spam = ['免费领取彩金，加微信立即到账', '高额返利投资理财，加微信咨询', '免费领取会员，点击链接立即到账', '投资理财稳赚不赔，加微信领取'];
    const genuine = ['市政府应该公开这份报告的全部内容', '我觉得这篇报道写得很清楚，谢谢记者', '这个桥的维修已经拖了三年了', '报告里的数字和部长说的不一样'];
    for (let i = 0; i < 5; i++) for (const t of spam) learn(counts, featuresOf(`${t} ${i}`), 'spam');
    for (let i = 0; i < 5; i++) for (const t of genuine) learn(counts, featuresOf(`${t} ${i}`), 'ham');
    const model = modelOf(counts);
    // A campaign's new wording: held. Before, each clause was one "word" nobody else wrote, and the
    // classifier could not tell (0.5) however many such comments moderators had marked.
    const variant = featuresOf('加微信免费领取彩金，稳赚不赔');
    expect(spamProbability(model, variant)).toBeGreaterThan(0.9);
    expect(classifierSignal(spamProbability(model, variant), spamEvidence(model, variant))!.weight).toBeGreaterThanOrEqual(0.6);
    const reader = featuresOf('部长应该解释报告里的数字');
    expect(classifierSignal(spamProbability(model, reader), spamEvidence(model, reader))).toBeNull();
  });

  it('does not judge a text by its shape alone: with no word it knows, it cannot tell', () => {
    const counts = emptyCounts();
    for (let i = 0; i < 5; i++) learn(counts, featuresOf(`CHEAP PILLS ONLINE $${i}9.99!!!`), 'spam');
    for (let i = 0; i < 5; i++) learn(counts, featuresOf(`the council vote on the bridge was delayed again ${i}`), 'ham');
    expect(spamProbability(modelOf(counts), featuresOf('ZYGOMORPHIC QUUX €7!!!'))).toBe(0.5);
  });

  it('weighs a shipped model less than the site’s own decisions', () => {
    const base = emptyCounts();
    for (let i = 0; i < 100; i++) learn(base, ['free', `x${i}`], 'spam');
    for (let i = 0; i < 100; i++) learn(base, ['hello', `y${i}`], 'ham');
    const site = emptyCounts();
    for (let i = 0; i < 5; i++) learn(site, ['free', 'parking'], 'ham');
    for (let i = 0; i < 5; i++) learn(site, ['casino'], 'spam');
    const full = spamProbability(modelOf(base, site), ['free']);
    const light = spamProbability(modelOf({ counts: base, weight: 0.02 }, site), ['free']);
    expect(light).toBeLessThan(full);
    expect(light).toBeLessThan(0.5);
  });

  it('lets the shipped model speak louder on a word the site has not met, and fade as the site meets it', () => {
    const base = emptyCounts();
    for (let i = 0; i < 100; i++) learn(base, ['subscribe', 'today', `x${i}`], 'spam');
    for (let i = 0; i < 100; i++) learn(base, ['hello', `y${i}`], 'ham');
    const site = emptyCounts();
    for (let i = 0; i < 10; i++) learn(site, ['today', 'council', `h${i}`], 'ham');
    for (let i = 0; i < 10; i++) learn(site, ['casino', `s${i}`], 'spam');
    const plain = { counts: base, weight: 0.1 };
    const fading = { ...plain, fade: { weight: 0.25, after: 3 } };
    // Unseen by the site: the shipped model's counts weigh 0.25 a text, not 0.1.
    expect(modelOf(fading, site).feature('subscribe')).toEqual([25, 0]);
    expect(spamProbability(modelOf(fading, site), ['subscribe'])).toBeGreaterThan(spamProbability(modelOf(plain, site), ['subscribe']));
    // Seen in 10 of the site's texts: 0.25 × 3 / 13 a text, and the site's own word wins.
    expect(modelOf(fading, site).feature('today')![0]).toBeCloseTo((100 * 0.25 * 3) / 13, 6);
    expect(spamProbability(modelOf(fading, site), ['today', 'council'])).toBeLessThan(0.5);
    // The totals weigh the shipped model as before.
    expect(modelOf(fading, site).docs(0)).toBe(modelOf(plain, site).docs(0));
  });

  it('rates a shape by the site’s own texts only: the shipped model has no shapes', () => {
    const base = emptyCounts();
    for (let i = 0; i < 100; i++) learn(base, ['free', `x${i}`], 'ham');
    const site = emptyCounts();
    // A young site taught mostly spam: every text, spam or genuine, has the ordinary shape.
    for (let i = 0; i < 15; i++) learn(site, ['s:caps0', `casino${i}`], 'spam');
    for (let i = 0; i < 5; i++) learn(site, ['s:caps0', `council${i}`], 'ham');
    const model = modelOf({ counts: base, weight: 0.2, covers: (f) => !f.startsWith('s:') }, site);
    expect(model.docsFor(1, 's:caps0')).toBe(5);
    expect(model.docsFor(1, 'free')).toBe(25);
    // Every text has it: it says nothing (with the shipped model's texts counted, it leaned to spam).
    expect(spamEvidence(model, ['s:caps0'])).toBe(0.5);
    expect(spamProbability(model, ['s:caps0', 'council1'])).toBeLessThan(0.5);
  });

  it('counts a young site’s score with a margin that shrinks as it learns', () => {
    expect(youngMargin(LEARNT_ENOUGH - 1)).toBe(0);
    expect(youngMargin(LEARNT_ENOUGH)).toBeCloseTo(0.12, 6);
    expect(youngMargin(YOUNG_UNTIL)).toBe(0);
    expect(youngMargin(60)).toBeLessThan(youngMargin(30));
    // The same opinions hold a comment on a site that learnt 100 texts, not on one that learnt 20.
    expect(classifierSignal(0.95, 0.7, YOUNG_UNTIL)!.weight).toBeGreaterThanOrEqual(0.6);
    expect(classifierSignal(0.95, 0.7, LEARNT_ENOUGH)?.weight ?? 0).toBeLessThan(0.6);
  });

  it('does not let the shipped model speak louder before the site has taught it', () => {
    expect(basePart(0).fade).toBeUndefined();
    expect(basePart(LEARNT_ENOUGH - 1).fade).toBeUndefined();
    expect(basePart(LEARNT_ENOUGH).fade!.weight).toBeGreaterThan(basePart(LEARNT_ENOUGH).weight);
  });
});

describe('near-duplicates (SimHash)', () => {
  const text = 'Make five thousand dollars a week from home, no experience needed, start today with our simple program';
  it('puts nearly the same texts a few bits apart and different texts far apart', () => {
    expect(distance(simhash(text), simhash(text.toUpperCase().replace('five', 'fivе')))).toBe(0);
    expect(isNear(simhash(text), simhash(`${text}!!`))).toBe(true);
    expect(distance(simhash(text), simhash('The council minutes from June explain why the bridge budget was cut in half'))).toBeGreaterThan(10);
  });

  it('counts other commenters and networks, not the author', () => {
    const b = simhash(text);
    const candidates = [
      { b, c: 'alice', n: 'net1' },
      { b, c: 'alice', n: 'net2' },
      { b, c: 'bob', n: 'net1' },
      { b, c: null, n: 'net3' },
      { b, c: null, n: 'net4' },
      { b: simhash('something else entirely, about the weather and the harvest this year'), c: 'carol', n: 'net5' },
    ];
    expect(othersWithSameText(candidates, b, { commenterId: 'alice', ipHash: 'net1' })).toBe(3);
    // A first post: its own double-click (no commenter, same network) is not another reader.
    expect(othersWithSameText(candidates, b, { commenterId: null, ipHash: 'net3' })).toBe(3);
  });
});

describe('signals', () => {
  it('each says nothing when there is nothing to say', () => {
    expect(classifierSignal(0.6)).toBeNull();
    expect(classifierSignal(0.99, 0.3)).toBeNull();
    // A site that has taught its model little: the shipped model alone never holds a comment.
    expect(classifierSignal(0.99, 0.99, 3)).toMatchObject({ weight: 0.45, detail: expect.stringContaining('taught it little') });
    expect(classifierSignal(0.99, 0.99, YOUNG_UNTIL)!.weight).toBeGreaterThan(0.9);
    // A young site's: held, not sent to spam alone.
    expect(classifierSignal(0.99, 0.99, LEARNT_ENOUGH)!.weight).toBeGreaterThanOrEqual(0.6);
    expect(classifierSignal(0.99, 0.99, LEARNT_ENOUGH)!.weight).toBeLessThan(0.9);
    expect(nearDuplicateSignal(1, 24)).toBeNull();
    expect(spamDomainSignal([{ domain: 'example.org', spam: 1, ham: 0 }])).toBeNull();
    expect(spamDomainSignal([{ domain: 'example.org', spam: 5, ham: 3 }])).toBeNull();
    expect(speedSignal({ network10m: 2, thread1m: 3 })).toBeNull();
    expect(noProofSignal('valid')).toBeNull();
    expect(noProofSignal('exempt')).toBeNull();
  });

  it('each grows with its evidence and explains itself', () => {
    expect(classifierSignal(0.99)!.weight).toBeGreaterThan(classifierSignal(0.92)!.weight);
    expect(nearDuplicateSignal(5, 24)).toMatchObject({ code: 'near_duplicate', detail: expect.stringContaining('5 other readers') });
    expect(nearDuplicateSignal(5, 24)!.weight).toBeGreaterThan(nearDuplicateSignal(2, 24)!.weight);
    expect(spamDomainSignal([{ domain: 'pills.xyz', spam: 6, ham: 0 }])).toMatchObject({ code: 'spam_link', detail: expect.stringContaining('pills.xyz') });
    // Seen in spam twice: not enough to hold a comment alone (holdAt 0.6), only with another signal.
    expect(spamDomainSignal([{ domain: 'pills.xyz', spam: 2, ham: 0 }])!.weight).toBeLessThan(0.6);
    expect(speedSignal({ network10m: 20, thread1m: 0 })!.weight).toBeGreaterThan(speedSignal({ network10m: 9, thread1m: 0 })!.weight);
    expect(noProofSignal('missing')).toMatchObject({ code: 'no_proof' });
  });

  it('combine as a noisy OR, strongest reason first', () => {
    const r = combine([{ code: 'a', weight: 0.5, detail: '' }, null, { code: 'b', weight: 0.6, detail: '' }]);
    expect(r.score).toBeCloseTo(0.8, 3);
    expect(r.reasons.map((x) => x.code)).toEqual(['b', 'a']);
    expect(combine([null]).score).toBe(0);
  });

  it('trust needs three approved comments and nothing taken down recently', () => {
    expect(isTrusted({ approvedCount: 3, takenDownRecently: 0 })).toBe(true);
    expect(isTrusted({ approvedCount: 2, takenDownRecently: 0 })).toBe(false);
    expect(isTrusted({ approvedCount: 10, takenDownRecently: 1 })).toBe(false);
  });

  it('learns approve versus reject and spam; other decisions teach nothing', () => {
    expect(labelOf({ action: 'approve', from: 'pending', to: 'approved' })).toBe('ham');
    expect(labelOf({ action: 'reject', from: 'approved', to: 'rejected' })).toBe('spam');
    expect(labelOf({ action: 'spam', from: 'pending', to: 'spam' })).toBe('spam');
    expect(labelOf({ action: 'feature', from: 'approved', to: 'approved' })).toBeNull();
  });
});

describe('the risk rule', () => {
  const reasons = [{ code: 'near_duplicate', weight: 0.97, detail: '' }];
  it('sends to spam at spamAt and holds at holdAt, with the reasons', () => {
    const at = (score: number, settings = {}) => risk.run({ ...ruleInput('Buy now', { settings }), risk: { score, reasons } });
    expect(at(0.95)).toEqual({ status: 'spam', reason: 'risk 0.95: near_duplicate' });
    expect(at(0.7)).toMatchObject({ status: 'pending' });
    expect(at(0.3)).toBeUndefined();
    expect(at(0.3, { risk: { holdAt: 0.2, spamAt: 0.9 } })).toMatchObject({ status: 'pending' });
    expect(risk.run(ruleInput('Buy now'))).toBeUndefined();
  });
});
