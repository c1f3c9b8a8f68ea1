"""The words of the papers for a storyteller (consent form, review copy), in plain language, in English
and Spanish: what each purpose means and who would see the story."""

from __future__ import annotations

from typing import Final

PURPOSES: Final[dict[str, dict[str, str]]] = {
    "en": {
        "read": "Read: staff who look after the stories may read yours, to check it and prepare it. Nobody "
        "else sees it for this.",
        "share": "Share: peer support specialists may find your story and read it to, or show it to, a "
        "person they are supporting.",
        "handout": "Handout: your story may be printed and given to a person to take home.",
        "public": "Public: your story may leave the organisation, for example on a website or in a "
        "booklet anyone can read.",
        "training": "Training: your story may be used to train staff inside the organisation.",
        "research": "Research: your story may be given to a named research partner, so it leaves the "
        "organisation for that study.",
    },
    "es": {
        "read": "Leer: el personal que cuida las historias puede leer la tuya para revisarla y prepararla. "
        "Nadie más la ve para esto.",
        "share": "Compartir: los especialistas de apoyo entre pares pueden encontrar tu historia y leerla o "
        "mostrarla a una persona a la que acompañan.",
        "handout": "Folleto: tu historia puede imprimirse y darse a una persona para que se la lleve.",
        "public": "Pública: tu historia puede salir de la organización, por ejemplo en una página web o en "
        "un folleto que cualquiera puede leer.",
        "training": "Formación: tu historia puede usarse para formar al personal dentro de la organización.",
        "research": "Investigación: tu historia puede darse a un equipo de investigación nombrado, así que "
        "sale de la organización para ese estudio.",
    },
}

WORDS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "form_title": "Consent to use my story",
        "the_organisation": "the organisation",
        "form_intro": 'This form says what you agree to for your story "{title}" ({id}). You decide. You '
        "can say no to any part, and change your mind at any time.",
        "agree_to": "You agree that {organisation} may use your story for:",
        "not_agreed": "You do not agree to these, so your story is never used for them:",
        "dates": "Your consent starts on {given} and lasts until {until}. Before then, someone will ask you "
        "whether you want to renew it.",
        "no_end": "Your consent starts on {given} and has no end date: it lasts until you withdraw it.",
        "attribution": "Your story will say it was told by: {credit}",
        "anonymous": "Your name, or anything that would show who you are, will not appear.",
        "withdraw_title": "Changing your mind",
        "withdraw": "You can withdraw your consent at any time, for any reason, without giving one. Tell "
        "any staff member of {organisation}{contact}. From that moment your story is not shown, shared or "
        "printed again. Printed copies already given out are listed, and we ask for them back.",
        "form_ref": "Form reference: {ref} · story {id}",
        "form_ref_missing": "(to be filled in)",
        "signature": "Storyteller's signature: ______________________   Date: ____________",
        "witness": "Staff member: ______________________   Date: ____________",
        "keep": "The signed form stays in the organisation's records. You may have a copy.",
        "letter_title": "Your story reached people",
        "dear": "Dear {name},",
        "dear_teller": "Dear storyteller,",
        "letter_thanks": 'Thank you for sharing your story "{title}" with {organisation}. Here is what we '
        "know of how it was used since {since}:",
        "printed": "printed {n} time(s) for someone to take home",
        "exported": "shared {n} time(s) with partner organisations you agreed to",
        "helped": "marked {n} time(s) by a peer specialist as having helped",
        "relatable": "marked {n} time(s) as feeling close to someone's own life",
        "learned": "marked {n} time(s) as someone learning something from it",
        "letter_none": "It has not been printed or marked yet: thank you for being ready to share it.",
        "letter_private": "These are counts only. We keep nothing about the people your story was shared "
        "with: not their names, not what they said.",
        "letter_until": "Your consent runs until {until}. If you would like your story to keep reaching "
        "people, we would be glad to renew it. If not, that is your choice, and we thank you.",
        "letter_no_end": "Your consent has no end date. You can change your mind at any time.",
        "letter_sign": "With thanks, {organisation}",
        "review_title": "Your story, for you to read",
        "review_intro": "This is your story exactly as it would be shared. Read it in your own time. If "
        "anything is not how you want it told, tell {organisation}: it can be changed, or not used at all.",
        "told_by": "Told by: {credit}",
        "summary": "How it is described: {summary}",
        "what_helped": "What helped me",
        "approve": "If this is how you want your story told, tell the staff member who gave you this "
        "copy. They will record that you approved this text (version {hash}).",
    },
    "es": {
        "form_title": "Consentimiento para usar mi historia",
        "the_organisation": "la organización",
        "form_intro": 'Este formulario dice a qué das tu acuerdo para tu historia "{title}" ({id}). Tú '
        "decides. Puedes decir que no a cualquier parte y cambiar de opinión cuando quieras.",
        "agree_to": "Aceptas que {organisation} use tu historia para:",
        "not_agreed": "No aceptas estos usos, así que tu historia nunca se usa para ellos:",
        "dates": "Tu consentimiento empieza el {given} y dura hasta el {until}. Antes de esa fecha alguien "
        "te preguntará si quieres renovarlo.",
        "no_end": "Tu consentimiento empieza el {given} y no tiene fecha de fin: dura hasta que lo retires.",
        "attribution": "Tu historia dirá que la contó: {credit}",
        "anonymous": "No aparecerá tu nombre ni nada que muestre quién eres.",
        "withdraw_title": "Si cambias de opinión",
        "withdraw": "Puedes retirar tu consentimiento en cualquier momento, por cualquier motivo, sin dar "
        "explicaciones. Díselo a cualquier persona del personal de {organisation}{contact}. Desde ese "
        "momento tu historia no se muestra, no se comparte y no se imprime más. Las copias impresas ya "
        "entregadas quedan anotadas y pedimos que se devuelvan.",
        "form_ref": "Referencia del formulario: {ref} · historia {id}",
        "form_ref_missing": "(por completar)",
        "signature": "Firma de quien cuenta la historia: ______________________   Fecha: ____________",
        "witness": "Persona del personal: ______________________   Fecha: ____________",
        "keep": "El formulario firmado se guarda en los archivos de la organización. Puedes pedir una copia.",
        "letter_title": "Tu historia llegó a otras personas",
        "dear": "Querida/o {name}:",
        "dear_teller": "Querida persona que contó esta historia:",
        "letter_thanks": 'Gracias por compartir tu historia "{title}" con {organisation}. Esto es lo que '
        "sabemos de cómo se usó desde el {since}:",
        "printed": "se imprimió {n} vez/veces para que alguien se la llevara",
        "exported": "se compartió {n} vez/veces con organizaciones con las que estuviste de acuerdo",
        "helped": "{n} vez/veces un especialista de apoyo entre pares anotó que ayudó",
        "relatable": "{n} vez/veces se anotó que alguien la sintió cercana a su propia vida",
        "learned": "{n} vez/veces se anotó que alguien aprendió algo de ella",
        "letter_none": "Todavía no se ha impreso ni anotado: gracias por estar dispuesta/o a compartirla.",
        "letter_private": "Son solo cuentas. No guardamos nada de las personas con quienes se compartió tu "
        "historia: ni sus nombres, ni lo que dijeron.",
        "letter_until": "Tu consentimiento dura hasta el {until}. Si quieres que tu historia siga llegando a "
        "otras personas, nos alegrará renovarlo. Si no, es tu decisión, y te lo agradecemos.",
        "letter_no_end": "Tu consentimiento no tiene fecha de fin. Puedes cambiar de opinión cuando quieras.",
        "letter_sign": "Con gratitud, {organisation}",
        "review_title": "Tu historia, para que la leas",
        "review_intro": "Esta es tu historia tal como se compartiría. Léela con calma. Si algo no está como "
        "quieres contarlo, díselo a {organisation}: se puede cambiar, o no usarla.",
        "told_by": "Contada por: {credit}",
        "summary": "Cómo se describe: {summary}",
        "what_helped": "Lo que me ayudó",
        "approve": "Si así quieres que se cuente tu historia, díselo a la persona que te dio esta copia. "
        "Anotará que aprobaste este texto (versión {hash}).",
    },
}


def words(language: str) -> dict[str, str]:
    return WORDS.get(language, WORDS["en"])
